#include "io/batch_reader.hpp"

#include <algorithm>
#include <numeric>

#include "engine/rng.hpp"
#include "helpers.hpp"

using namespace iotest;
using aeg::io::Batch;
using aeg::io::BatchReader;
using aeg::io::ReaderOptions;

namespace {

constexpr std::int64_t kRows = 1003, kFeatures = 5;

// Row i holds (i % 256, i / 256, 1, 2, 3) and label i: every value says which row it is.
std::string make_file(const TempDir& d, std::int64_t chunk_rows = 7) {
  aeg::io::DatasetFormat fmt;
  fmt.sample_shape = {kFeatures};
  fmt.labels = true;
  fmt.chunk_rows = chunk_rows;
  aeg::io::SplitData train;
  for (std::int64_t i = 0; i < kRows; ++i) {
    for (int v : {static_cast<int>(i % 256), static_cast<int>(i / 256), 1, 2, 3})
      train.u8.push_back(static_cast<std::uint8_t>(v));
    train.labels.push_back(static_cast<std::int32_t>(i));
  }
  const auto path = d.file("rows.h5");
  aeg::io::write_dataset(path, fmt, train);
  return path;
}

// Every batch of one epoch, checking each row's values and label against its index.
std::vector<Batch> epoch(BatchReader& r, std::int64_t e) {
  r.start_epoch(e);
  std::vector<Batch> out;
  Batch b;
  while (r.next(b)) {
    REQUIRE(b.rows > 0);
    REQUIRE(b.x.size() == static_cast<std::size_t>(b.rows * kFeatures));
    REQUIRE(b.y.size() == static_cast<std::size_t>(b.rows));
    for (std::int64_t j = 0; j < b.rows; ++j) {
      const std::int64_t i = b.index[static_cast<std::size_t>(j)];
      REQUIRE(b.y[static_cast<std::size_t>(j)] == i);
      const float* x = b.x.data() + j * kFeatures;
      REQUIRE(x[0] == static_cast<float>((i % 256) / 255.0));
      REQUIRE(x[1] == static_cast<float>((i / 256) / 255.0));
      REQUIRE(x[4] == static_cast<float>(3 / 255.0));
    }
    out.push_back(b);
  }
  return out;
}

std::vector<std::int64_t> order_of(const std::vector<Batch>& batches) {
  std::vector<std::int64_t> o;
  for (const auto& b : batches) o.insert(o.end(), b.index.begin(), b.index.end());
  return o;
}

std::vector<std::int64_t> iota(std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

}  // namespace

TEST_CASE("batch reader sees every row once per epoch with labels aligned", "[io][reader]") {
  TempDir d;
  const auto path = make_file(d);
  BatchReader r(path, "train", 64, {.seed = 7});
  CHECK(r.size() == kRows);
  CHECK(r.features() == kFeatures);
  CHECK(r.has_labels());
  CHECK(r.batches_per_epoch() == 16);
  for (std::int64_t e = 0; e < 3; ++e) {
    const auto batches = epoch(r, e);
    CHECK(batches.size() == 16);
    CHECK(batches.back().rows == kRows - 15 * 64);
    auto o = order_of(batches);
    CHECK(o != iota(kRows));  // shuffled
    std::sort(o.begin(), o.end());
    CHECK(o == iota(kRows));
  }
}

TEST_CASE("batch order is a pure function of seed and epoch", "[io][reader]") {
  TempDir d;
  const auto path = make_file(d);
  BatchReader a(path, "train", 100, {.seed = 42}), b(path, "train", 100, {.seed = 42}),
      c(path, "train", 100, {.seed = 43});
  const auto a0 = order_of(epoch(a, 0)), a1 = order_of(epoch(a, 1)), a2 = order_of(epoch(a, 2));
  CHECK(a0 != a1);
  CHECK(a1 != a2);
  // A resumed run that starts at epoch 2 sees the same batches.
  CHECK(order_of(epoch(b, 2)) == a2);
  CHECK(order_of(epoch(b, 0)) == a0);
  CHECK(order_of(epoch(c, 0)) != a0);
  CHECK(aeg::io::epoch_order(kRows, 42, 1) == a1);
  // next() without start_epoch() begins epoch 0.
  BatchReader fresh(path, "train", 100, {.seed = 42});
  Batch first;
  REQUIRE(fresh.next(first));
  CHECK(first.index == std::vector<std::int64_t>(a0.begin(), a0.begin() + 100));
}

TEST_CASE("prefetch gives the same data as reading in place", "[io][reader]") {
  TempDir d;
  const auto path = make_file(d, 16);
  BatchReader with(path, "train", 50, {.seed = 3, .prefetch = true});
  BatchReader without(path, "train", 50, {.seed = 3, .prefetch = false});
  for (std::int64_t e : {0, 1, 5}) {
    const auto p = epoch(with, e), q = epoch(without, e);
    REQUIRE(p.size() == q.size());
    for (std::size_t k = 0; k < p.size(); ++k) {
      CHECK(p[k].x == q[k].x);
      CHECK(p[k].y == q[k].y);
      CHECK(p[k].index == q[k].index);
    }
  }
  // Restarting mid-epoch (prefetch in flight) is fine.
  with.start_epoch(0);
  Batch b;
  REQUIRE(with.next(b));
  with.start_epoch(1);
  REQUIRE(with.next(b));
  const auto order1 = aeg::io::epoch_order(kRows, 3, 1);
  CHECK(b.index == std::vector<std::int64_t>(order1.begin(), order1.begin() + 50));
}

TEST_CASE("limit, drop_last and no shuffle", "[io][reader]") {
  TempDir d;
  const auto path = make_file(d);
  SECTION("limit uses the first rows only") {
    BatchReader r(path, "train", 32, {.seed = 1, .limit = 100});
    CHECK(r.size() == 100);
    CHECK(r.batches_per_epoch() == 4);
    auto o = order_of(epoch(r, 0));
    std::sort(o.begin(), o.end());
    CHECK(o == iota(100));
  }
  SECTION("drop_last") {
    BatchReader r(path, "train", 64, {.seed = 1, .drop_last = true});
    CHECK(r.batches_per_epoch() == kRows / 64);
    const auto batches = epoch(r, 0);
    CHECK(batches.size() == kRows / 64);
    for (const auto& b : batches) CHECK(b.rows == 64);
  }
  SECTION("no shuffle reads in file order") {
    BatchReader r(path, "train", 300, {.shuffle = false});
    CHECK(order_of(epoch(r, 0)) == iota(kRows));
    CHECK(order_of(epoch(r, 4)) == iota(kRows));
  }
  SECTION("a limit larger than the split is the whole split") {
    BatchReader r(path, "train", 1000, {.limit = 5000});
    CHECK(r.size() == kRows);
  }
}

TEST_CASE("load_split reads the first rows into memory", "[io][reader]") {
  TempDir d;
  const auto path = make_file(d);
  const auto all = aeg::io::load_split(path, "train");
  CHECK(all.x.shape == aeg::Shape{kRows, kFeatures});
  CHECK(all.y.size() == kRows);
  const auto some = aeg::io::load_split(path, "train", 10);
  CHECK(some.x.shape == aeg::Shape{10, kFeatures});
  CHECK(std::vector<float>(all.x.data.begin(), all.x.data.begin() + 10 * kFeatures) == some.x.data);
  CHECK(some.y == std::vector<std::int32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

TEST_CASE("batch reader errors name the file and the dataset", "[io][reader][bad]") {
  TempDir d;
  const auto missing = d.file("missing.h5");
  CHECK_THAT(data_error([&] { BatchReader r(missing, "train", 8); }), Contains(missing) && Contains("no such file"));
  const auto path = make_file(d);
  CHECK_THAT(data_error([&] { BatchReader r(path, "test", 8); }), Contains(path) && Contains("/test/x"));
  CHECK_THAT(data_error([&] { BatchReader r(path, "valid", 8); }), Contains(path) && Contains("valid"));
  CHECK_THROWS_AS(BatchReader(path, "train", 0), std::invalid_argument);
}

TEST_CASE("a split within the memory budget is read into memory and shuffled uniformly", "[io][reader]") {
  TempDir d;
  const auto path = make_file(d);
  BatchReader r(path, "train", 64, {.seed = 4, .memory = kRows * kFeatures});
  CHECK(r.plan().in_memory);
  CHECK(r.plan().split_bytes == kRows * kFeatures);
  CHECK(r.plan().describe().find("read into memory") != std::string::npos);
  for (std::int64_t e = 0; e < 2; ++e) {
    const auto batches = epoch(r, e);  // checks every value and label
    CHECK(order_of(batches) == aeg::io::epoch_order(kRows, 4, e));
  }
}

TEST_CASE("a split over the memory budget streams every row once per epoch, in window order", "[io][reader]") {
  TempDir d;
  const auto path = make_file(d);  // 7-row blocks of 35 bytes
  // 600 bytes: windows of 10 blocks (a batch of 64 needs 10 blocks of 7 rows; the budget alone gives 7).
  BatchReader r(path, "train", 64, {.seed = 4, .memory = 600});
  REQUIRE_FALSE(r.plan().in_memory);
  CHECK(r.plan().block_rows == 7);
  CHECK(r.plan().window_blocks == 10);
  CHECK(r.plan().describe().find("streamed") != std::string::npos);
  BatchReader wide(path, "train", 64, {.seed = 4, .memory = 3000});
  CHECK(wide.plan().window_blocks == 3000 / 70 - 1);
  for (std::int64_t e = 0; e < 3; ++e) {
    const auto order = order_of(epoch(r, e));  // every value and label checked
    CHECK(order == aeg::io::window_order(kRows, 7, 10, 4, e));
    auto sorted = order;
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted == iota(kRows));  // every row exactly once
  }
}

TEST_CASE("the window order shuffles blocks, and rows only within their window", "[io][reader]") {
  const std::int64_t n = 1003, block = 7, window = 10;
  std::vector<std::int64_t> blocks;
  const auto order = aeg::io::window_order(n, block, window, 9, 2, &blocks);
  REQUIRE(blocks.size() == 144);
  auto sorted_blocks = blocks;
  std::sort(sorted_blocks.begin(), sorted_blocks.end());
  CHECK(sorted_blocks == iota(144));
  CHECK(blocks != iota(144));  // the block order is shuffled
  std::size_t pos = 0;
  for (std::size_t w = 0; w * window < blocks.size(); ++w) {
    std::vector<std::int64_t> expect;
    for (std::size_t i = w * window; i < std::min(blocks.size(), (w + 1) * window); ++i)
      for (std::int64_t r = blocks[i] * block; r < std::min(n, (blocks[i] + 1) * block); ++r) expect.push_back(r);
    std::vector<std::int64_t> got(order.begin() + static_cast<std::ptrdiff_t>(pos),
                                  order.begin() + static_cast<std::ptrdiff_t>(pos + expect.size()));
    CHECK(got != expect);  // shuffled within the window
    std::sort(got.begin(), got.end());
    std::sort(expect.begin(), expect.end());
    CHECK(got == expect);  // and only within it
    pos += expect.size();
  }
  CHECK(pos == static_cast<std::size_t>(n));
  CHECK(aeg::io::window_order(n, block, window, 9, 2) == order);  // a pure function of (seed, epoch)
  CHECK(aeg::io::window_order(n, block, window, 9, 3) != order);
  CHECK(aeg::io::window_order(n, block, window, 8, 2) != order);
}

TEST_CASE("streaming: prefetch, a fresh reader at a later epoch and a limit give the same batches", "[io][reader]") {
  TempDir d;
  const auto path = make_file(d);
  BatchReader a(path, "train", 50, {.seed = 6, .memory = 500});
  BatchReader b(path, "train", 50, {.seed = 6, .prefetch = false, .memory = 500});
  REQUIRE_FALSE(a.plan().in_memory);
  epoch(a, 0);
  const auto e1 = epoch(a, 1);
  BatchReader resumed(path, "train", 50, {.seed = 6, .memory = 500});  // as a resumed run: starts at epoch 1
  const auto r1 = epoch(resumed, 1);
  const auto b1 = epoch(b, 1);
  REQUIRE(e1.size() == r1.size());
  REQUIRE(e1.size() == b1.size());
  for (std::size_t k = 0; k < e1.size(); ++k) {
    CHECK(e1[k].index == r1[k].index);
    CHECK(e1[k].x == r1[k].x);
    CHECK(e1[k].x == b1[k].x);
  }
  BatchReader limited(path, "train", 50, {.seed = 6, .limit = 500, .drop_last = true, .memory = 200});
  const auto order = order_of(epoch(limited, 0));
  CHECK(order.size() == 500);
  CHECK(*std::max_element(order.begin(), order.end()) < 500);
  BatchReader plain(path, "train", 50, {.shuffle = false, .memory = 200});
  CHECK(order_of(epoch(plain, 0)) == iota(kRows));
}

TEST_CASE("a file chunked one row at a time still trains, with a warning naming it", "[io][reader]") {
  TempDir d;
  const auto good = make_file(d, 64);
  CHECK(BatchReader(good, "train", 64).layout_warning().empty());
  TempDir d1;
  const auto path = make_file(d1, 1);
  for (std::int64_t memory : {std::int64_t{0}, std::int64_t{400}}) {
    BatchReader r(path, "train", 64, {.seed = 2, .memory = memory});
    CHECK_THAT(r.layout_warning(), Catch::Contains(path) && Catch::Contains("chunks of 1 row"));
    auto sorted = order_of(epoch(r, 0));
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted == iota(kRows));
  }
}

TEST_CASE("blocks inflated outside HDF5 equal HDF5's own reads, for uint8 and float32, compressed or not", "[io][reader]") {
  TempDir d;
  for (const bool f32 : {false, true})
    for (const int deflate : {0, 4}) {
      INFO((f32 ? "float32" : "uint8") << ", deflate " << deflate);
      aeg::io::DatasetFormat fmt;
      fmt.sample_shape = {kFeatures};
      fmt.dtype = f32 ? aeg::io::DType::float32 : aeg::io::DType::uint8;
      fmt.chunk_rows = 7;  // 1003 rows: the last chunk holds 2
      fmt.deflate = deflate;
      aeg::io::SplitData train;
      aeg::Rng rng(5);
      for (std::int64_t i = 0; i < kRows * kFeatures; ++i) {
        if (f32) train.f32.push_back(static_cast<float>(rng.uniform()));
        else train.u8.push_back(static_cast<std::uint8_t>(rng.below(256)));
      }
      const auto path = d.file(std::string(f32 ? "f" : "u") + std::to_string(deflate) + ".h5");
      aeg::io::write_dataset(path, fmt, train);
      const aeg::io::SplitArrays ref = aeg::io::load_split(path, "train");  // through H5Dread
      for (std::int64_t memory : {std::int64_t{0}, std::int64_t{600}}) {
        BatchReader r(path, "train", 64, {.seed = 3, .memory = memory});
        r.start_epoch(0);
        Batch b;
        std::int64_t seen = 0;
        while (r.next(b)) {
          for (std::int64_t j = 0; j < b.rows; ++j) {
            const std::int64_t i = b.index[static_cast<std::size_t>(j)];
            REQUIRE(std::equal(b.x.begin() + j * kFeatures, b.x.begin() + (j + 1) * kFeatures, ref.x.data.begin() + i * kFeatures));
          }
          seen += b.rows;
        }
        CHECK(seen == kRows);
      }
    }
}

namespace {

// Replaces chunk `chunk` of /train/x with `bytes` as stored (filters applied), as a
// corrupt or hostile file would hold it.
void overwrite_chunk(const std::string& path, std::int64_t chunk, std::int64_t chunk_rows, const std::vector<unsigned char>& bytes) {
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(f >= 0);
  hid_t x = H5Dopen2(f, "/train/x", H5P_DEFAULT);
  REQUIRE(x >= 0);
  const hsize_t offset[2] = {static_cast<hsize_t>(chunk * chunk_rows), 0};
  REQUIRE(H5Dwrite_chunk(x, H5P_DEFAULT, 0, offset, bytes.size(), bytes.data()) >= 0);
  H5Dclose(x);
  H5Fclose(f);
}

}  // namespace

TEST_CASE("a corrupt compressed chunk is a DataError naming the file, in memory and streamed, on any thread", "[io][reader][bad]") {
  TempDir d;
  constexpr std::int64_t chunk_rows = 7, chunks = (kRows + chunk_rows - 1) / chunk_rows;
  // Not a zlib stream; a valid stream of fewer bytes than the chunk holds.
  const std::vector<unsigned char> garbage(40, 0xAB);
  std::vector<unsigned char> short_stream(64);
  {
    const std::vector<unsigned char> few(10, 1);
    uLongf len = short_stream.size();
    REQUIRE(compress(short_stream.data(), &len, few.data(), few.size()) == Z_OK);
    short_stream.resize(len);
  }
  // More bytes than deflate ever writes for a 35-byte chunk: a corrupt chunk index.
  const std::vector<unsigned char> oversized(200, 0xCD);
  for (const auto& [what, bytes] : {std::pair{"garbage", garbage}, std::pair{"a short stream", short_stream},
                                    std::pair{"an oversized chunk", oversized}})
    for (const std::int64_t chunk : {std::int64_t{0}, chunks / 2, chunks - 1})
      for (const std::int64_t memory : {std::int64_t{0}, std::int64_t{600}})  // in memory; streamed in windows
        for (const bool prefetch : {true, false}) {
          INFO(what << " in chunk " << chunk << ", memory " << memory << ", prefetch " << prefetch);
          const auto path = make_file(d, chunk_rows);  // shuffle + deflate 4
          overwrite_chunk(path, chunk, chunk_rows, bytes);
          const std::string message = data_error([&] {
            BatchReader r(path, "train", 64, {.seed = 1, .prefetch = prefetch, .memory = memory});
            for (std::int64_t e = 0; e < 2; ++e) {
              r.start_epoch(e);
              Batch b;
              while (r.next(b)) {
              }
            }
          });
          CHECK_THAT(message, Contains(path) && Contains("/train/x"));
        }
}
