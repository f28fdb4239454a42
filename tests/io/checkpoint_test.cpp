#include "io/checkpoint.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <limits>
#include <random>

#include "engine/version.hpp"
#include "helpers.hpp"

using namespace iotest;
using aeg::Tensor;
using aeg::io::Checkpoint;

namespace {

Tensor<float> ramp(aeg::Shape s, float start) {
  Tensor<float> t(std::move(s));
  for (std::int64_t i = 0; i < t.size(); ++i) t[i] = start + 0.5f * static_cast<float>(i);
  return t;
}

Checkpoint sample() {
  Checkpoint ck;
  ck.spec = "model dense\nencoder 784-64 sigmoid\n# ünïcode ok\n";
  ck.params = {{"enc/W", ramp({3, 4}, 1)},
               {"enc/b", ramp({4}, -2)},
               {"dec/layer0/W", ramp({4, 3}, 7)},
               {"scalar", ramp({}, 9)},
               {"conv", ramp({2, 1, 3, 3}, 0)}};
  ck.optimizer = "adam";
  ck.optimizer_state = {{"m/enc/W", ramp({3, 4}, 0.25f)}, {"v/enc/W", ramp({3, 4}, 0.125f)}};
  ck.optimizer_scalars = {{"step", 1234}, {"beta1^t", 0.9 * 0.9}, {"lr/base", 1e-3}};
  ck.epoch = 7;
  ck.step = 1234;
  ck.rng_state = "123 456 789";
  ck.train_loss = {0.5, 0.25, 0.125};
  ck.test_loss = {0.6, 0.3, 0.2};
  return ck;
}

void check_equal(const Checkpoint& a, const Checkpoint& b) {
  CHECK(a.spec == b.spec);
  REQUIRE(a.params.size() == b.params.size());
  for (std::size_t i = 0; i < a.params.size(); ++i) {
    CHECK(a.params[i].first == b.params[i].first);
    CHECK(a.params[i].second.shape == b.params[i].second.shape);
    CHECK(a.params[i].second.data == b.params[i].second.data);
  }
  CHECK(a.optimizer == b.optimizer);
  REQUIRE(a.optimizer_state.size() == b.optimizer_state.size());
  for (std::size_t i = 0; i < a.optimizer_state.size(); ++i) {
    CHECK(a.optimizer_state[i].first == b.optimizer_state[i].first);
    CHECK(a.optimizer_state[i].second.data == b.optimizer_state[i].second.data);
  }
  CHECK(a.optimizer_scalars == b.optimizer_scalars);
  CHECK(a.epoch == b.epoch);
  CHECK(a.step == b.step);
  CHECK(a.rng_state == b.rng_state);
  CHECK(a.train_loss == b.train_loss);
  CHECK(a.test_loss == b.test_loss);
}

std::string read_root_string_attr(hid_t f, const char* name) {
  hid_t a = H5Aopen(f, name, H5P_DEFAULT);
  hid_t t = H5Aget_type(a);
  char* p = nullptr;
  H5Aread(a, t, &p);
  std::string s = p ? p : "";
  H5free_memory(p);
  H5Tclose(t);
  H5Aclose(a);
  return s;
}

}  // namespace

TEST_CASE("checkpoint round trip with '/' in names", "[io][checkpoint]") {
  TempDir d;
  const auto path = d.file("ck.h5");
  const Checkpoint ck = sample();
  aeg::io::save_checkpoint(path, ck);
  CHECK(d.entries() == std::set<std::string>{"ck.h5"});
  check_equal(aeg::io::load_checkpoint(path), ck);

  // The layout a Python reader expects (h5py: f["params/enc/W"], f.attrs["format_version"]).
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  CHECK(H5Lexists(f, "/params", H5P_DEFAULT) > 0);
  CHECK(H5Lexists(f, "/params/enc", H5P_DEFAULT) > 0);
  CHECK(H5Lexists(f, "/params/enc/W", H5P_DEFAULT) > 0);
  CHECK(H5Lexists(f, "/optimizer/state/m/enc/W", H5P_DEFAULT) > 0);
  long long version = 0;
  hid_t a = H5Aopen(f, "format_version", H5P_DEFAULT);
  H5Aread(a, H5T_NATIVE_LLONG, &version);
  H5Aclose(a);
  CHECK(version == 2);
  CHECK(read_root_string_attr(f, "aegraph_version") == AEGRAPH_VERSION);
  H5Fclose(f);

  // Saving again replaces the file and leaves no temp behind; empty parts are fine.
  Checkpoint small;
  small.params = {{"w", ramp({2}, 1)}};
  small.optimizer = "sgd";
  aeg::io::save_checkpoint(path, small);
  CHECK(d.entries() == std::set<std::string>{"ck.h5"});
  check_equal(aeg::io::load_checkpoint(path), small);
}

TEST_CASE("bad checkpoint names are refused and the old file kept", "[io][checkpoint][bad]") {
  TempDir d;
  const auto path = d.file("ck.h5");
  aeg::io::save_checkpoint(path, sample());
  for (const auto& names : std::vector<std::vector<std::string>>{{"enc", "enc/W"}, {"a//b"}, {"/a"}, {"a/"}, {""}, {"x", "x"}, {"a/../b"}}) {
    Checkpoint bad = sample();
    bad.params.clear();
    for (const auto& n : names) bad.params.emplace_back(n, ramp({1}, 0));
    CHECK_THROWS_AS(aeg::io::save_checkpoint(path, bad), std::invalid_argument);
  }
  Checkpoint wrong_size = sample();
  wrong_size.params[0].second.data.pop_back();
  CHECK_THROWS_AS(aeg::io::save_checkpoint(path, wrong_size), std::invalid_argument);
  CHECK(d.entries() == std::set<std::string>{"ck.h5"});
  check_equal(aeg::io::load_checkpoint(path), sample());
}

TEST_CASE("loading bad checkpoints names file dataset and expectation", "[io][checkpoint][bad]") {
  TempDir d;
  SECTION("missing file") {
    const auto p = d.file("none.h5");
    CHECK_THAT(data_error([&] { aeg::io::load_checkpoint(p); }), Contains(p) && Contains("no such file"));
  }
  SECTION("not HDF5") {
    const auto p = d.file("text.h5");
    write_text(p, "hello");
    CHECK_THAT(data_error([&] { aeg::io::load_checkpoint(p); }), Contains(p) && Contains("not an HDF5 file"));
  }
  SECTION("a dataset file is not a checkpoint") {
    const auto p = d.file("data.h5");
    {
      RawH5 f(p);
      f.put_u8("/train/x", {1, 1}, {0});
    }
    CHECK_THAT(data_error([&] { aeg::io::load_checkpoint(p); }), Contains(p) && Contains("format_version"));
  }
  SECTION("a newer format version") {
    const auto p = d.file("v3.h5");
    aeg::io::save_checkpoint(p, sample());
    {
      hid_t f = H5Fopen(p.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      hid_t a = H5Aopen(f, "format_version", H5P_DEFAULT);
      const long long v = 3;
      H5Awrite(a, H5T_NATIVE_LLONG, &v);
      H5Aclose(a);
      H5Fclose(f);
    }
    CHECK_THAT(data_error([&] { aeg::io::load_checkpoint(p); }), Contains(p) && Contains("format_version 3"));
  }
  SECTION("a listed parameter is missing") {
    const auto p = d.file("miss.h5");
    aeg::io::save_checkpoint(p, sample());
    {
      hid_t f = H5Fopen(p.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      REQUIRE(H5Ldelete(f, "/params/dec/layer0/W", H5P_DEFAULT) >= 0);
      H5Fclose(f);
    }
    CHECK_THAT(data_error([&] { aeg::io::load_checkpoint(p); }),
               Contains(p) && Contains("/params/dec/layer0/W is missing"));
  }
  SECTION("a parameter that declares more than the file holds") {
    const auto p = d.file("huge.h5");
    aeg::io::save_checkpoint(p, sample());
    {
      hid_t f = H5Fopen(p.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      REQUIRE(H5Ldelete(f, "/params/enc/W", H5P_DEFAULT) >= 0);
      const hsize_t dims[2] = {99999999, 784}, chunk[2] = {1024, 784};
      hid_t sp = H5Screate_simple(2, dims, nullptr);
      hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
      H5Pset_chunk(dcpl, 2, chunk);
      hid_t ds = H5Dcreate2(f, "/params/enc/W", H5T_IEEE_F32LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);  // never written
      REQUIRE(ds >= 0);
      H5Dclose(ds);
      H5Pclose(dcpl);
      H5Sclose(sp);
      H5Fclose(f);
    }
    // Refused before the 300 GB it declares are allocated.
    CHECK_THAT(data_error([&] { aeg::io::load_checkpoint(p); }),
               Contains(p) && Contains("/params/enc/W declares shape [99999999, 784]") && Contains("only 0 were ever written"));
  }
  SECTION("a parameter with a NaN") {
    const auto p = d.file("nan.h5");
    Checkpoint ck = sample();
    ck.params[1].second.data[2] = std::numeric_limits<float>::quiet_NaN();
    aeg::io::save_checkpoint(p, ck);
    CHECK_THAT(data_error([&] { aeg::io::load_checkpoint(p); }),
               Contains(p + ": /params/enc/b has NaN at element 2, expected finite parameters"));
  }
  SECTION("a required dataset is missing") {
    const auto p = d.file("nostep.h5");
    aeg::io::save_checkpoint(p, sample());
    {
      hid_t f = H5Fopen(p.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      REQUIRE(H5Ldelete(f, "/step", H5P_DEFAULT) >= 0);
      H5Fclose(f);
    }
    CHECK_THAT(data_error([&] { aeg::io::load_checkpoint(p); }), Contains(p) && Contains("/step is missing"));
  }
  SECTION("a parameter of the wrong type") {
    const auto p = d.file("type.h5");
    aeg::io::save_checkpoint(p, sample());
    {
      hid_t f = H5Fopen(p.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      REQUIRE(H5Ldelete(f, "/params/enc/b", H5P_DEFAULT) >= 0);
      H5Fclose(f);
      hid_t g = H5Fopen(p.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      const std::int32_t v[4] = {1, 2, 3, 4};
      const hsize_t n = 4;
      hid_t sp = H5Screate_simple(1, &n, nullptr);
      hid_t ds = H5Dcreate2(g, "/params/enc/b", H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      H5Dwrite(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
      H5Dclose(ds);
      H5Sclose(sp);
      H5Fclose(g);
    }
    CHECK_THAT(data_error([&] { aeg::io::load_checkpoint(p); }),
               Contains(p) && Contains("/params/enc/b has type int32") && Contains("float32"));
  }
}

TEST_CASE("check_params_match lists missing extra and misshapen parameters", "[io][checkpoint][bad]") {
  TempDir d;
  const auto path = d.file("ck.h5");
  aeg::io::save_checkpoint(path, sample());
  const Checkpoint ck = aeg::io::load_checkpoint(path);
  aeg::io::ParamShapes model{{"enc/W", {3, 4}}, {"enc/b", {4}}, {"dec/layer0/W", {4, 3}}, {"scalar", {}}, {"conv", {2, 1, 3, 3}}};
  CHECK(aeg::io::compare_params(ck, model).ok());
  aeg::io::check_params_match(ck, model, path);

  model[0].second = {3, 5};        // wrong shape
  model.erase(model.begin() + 1);  // enc/b becomes extra
  model.push_back({"dec/b", {3}}); // missing
  const auto m = aeg::io::compare_params(ck, model);
  CHECK(m.missing == std::vector<std::string>{"/params/dec/b [3]"});
  CHECK(m.extra == std::vector<std::string>{"/params/enc/b [4]"});
  CHECK(m.wrong_shape == std::vector<std::string>{"/params/enc/W has shape [3, 4], expected [3, 5]"});
  const auto msg = data_error([&] { aeg::io::check_params_match(ck, model, path); });
  CHECK_THAT(msg, Contains(path) && Contains("missing /params/dec/b [3]") && Contains("/params/enc/b [4]") &&
                      Contains("/params/enc/W has shape [3, 4], expected [3, 5]"));
}

TEST_CASE("checkpoints written elsewhere load without the names attribute", "[io][checkpoint]") {
  TempDir d;
  const auto path = d.file("ck.h5");
  aeg::io::save_checkpoint(path, sample());
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(H5Adelete_by_name(f, "/params", "names", H5P_DEFAULT) >= 0);
  H5Fclose(f);
  const auto ck = aeg::io::load_checkpoint(path);
  std::vector<std::string> names;
  for (const auto& [n, t] : ck.params) names.push_back(n);
  CHECK(names == std::vector<std::string>{"conv", "dec/layer0/W", "enc/W", "enc/b", "scalar"});
}

// A child process saves a big checkpoint in a loop and is killed with SIGKILL at
// a random moment, several times: the last complete checkpoint always loads,
// and leftover temps neither confuse loading nor survive the next save.
TEST_CASE("checkpoint survives SIGKILL during save", "[io][checkpoint][crash]") {
  TempDir d;
  const auto path = d.file("big.h5");
  auto make = [](std::int64_t step) {
    Checkpoint ck;
    ck.spec = "big";
    ck.optimizer = "adam";
    ck.step = step;
    for (int i = 0; i < 8; ++i) ck.params.emplace_back("layer" + std::to_string(i) + "/W", Tensor<float>({512, 1024}, static_cast<float>(step)));
    ck.optimizer_state.emplace_back("m/layer0/W", Tensor<float>({512, 1024}, static_cast<float>(step)));
    return ck;
  };
  aeg::io::save_checkpoint(path, make(0));
  std::mt19937 gen(12345);
  std::uniform_int_distribution<int> delay_us(5000, 150000);
  int stale_seen = 0;
  std::int64_t last_step = 0;
  // At least 6 kills, and more (up to 100) until one lands mid-write: on a loaded machine
  // a short delay can end before the child has started its first save.
  for (int round = 0; round < 100 && (round < 6 || stale_seen == 0); ++round) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      try {
        Checkpoint ck = make(0);
        for (std::int64_t s = 1;; ++s) {
          const std::int64_t step = (round + 1) * 100000 + s;
          ck.step = step;
          for (auto& p : ck.params) std::fill(p.second.data.begin(), p.second.data.end(), static_cast<float>(step));
          aeg::io::save_checkpoint(path, ck);
        }
      } catch (...) {
        ::_exit(3);
      }
    }
    if (round % 2 == 0) {
      ::usleep(static_cast<useconds_t>(delay_us(gen)));
    } else {
      // Kill as soon as a temp file shows: a write in progress, however short its
      // window is next to building the file in memory (ASan, a loaded machine).
      for (int polls = 0; polls < 200000; ++polls) {
        bool writing = false;
        for (const auto& n : d.entries()) writing = writing || n.find(".tmp-") != std::string::npos;
        if (writing) break;
      }
    }
    REQUIRE(::kill(pid, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFSIGNALED(status));  // still saving (not exited with an error)
    for (const auto& n : d.entries()) stale_seen += n.find(".tmp-") != std::string::npos;

    const Checkpoint ck = aeg::io::load_checkpoint(path);
    CHECK(ck.step >= last_step);
    last_step = ck.step;
    REQUIRE(ck.params.size() == 8);
    for (const auto& [name, t] : ck.params) {
      REQUIRE(t.shape == aeg::Shape{512, 1024});
      REQUIRE(std::all_of(t.data.begin(), t.data.end(), [&](float v) { return v == static_cast<float>(ck.step); }));
    }
  }
  INFO("stale temps seen after kills: " << stale_seen);
  CHECK(stale_seen >= 1);  // the kills did land mid-write
  aeg::io::save_checkpoint(path, make(1));
  CHECK(d.entries() == std::set<std::string>{"big.h5"});
  CHECK(aeg::io::load_checkpoint(path).step == 1);
}

TEST_CASE("a checkpoint's format_version of any size is named as it is", "[io][checkpoint][bad][fuzz]") {
  // Found by fuzz_checkpoint: 5.5e117 was cast to long long for the message.
  TempDir d;
  for (double v : {5.55568e117, -1e300, 3.5}) {
    const auto p = d.file("v.h5");
    {
      RawH5 f(p);
      f.put_f32("/x", {1}, {0.0f});
      f.attr_double("/", "format_version", v);
    }
    char text[32];
    std::snprintf(text, sizeof text, "%g", v);
    CHECK_THAT(data_error([&] { aeg::io::load_checkpoint(p); }),
               Contains(p + ": format_version " + text + ", this build reads format_version 1 and 2"));
  }
}
