// ae-train and ae-eval end to end on small generated datasets: resuming is
// bitwise an uninterrupted run, and bad input gets a clear error.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/rng.hpp"
#include "io/checkpoint.hpp"
#include "io/dataset.hpp"
#include "tests/apps/support.hpp"
#include "train/model_state.hpp"

using Catch::Matchers::Contains;
using namespace aeg::test;
namespace fs = std::filesystem;

namespace {

bool same_bits(const aeg::Tensor<float>& a, const aeg::Tensor<float>& b) {
  return a.shape == b.shape && std::memcmp(a.ptr(), b.ptr(), sizeof(float) * a.data.size()) == 0;
}

}  // namespace

TEST_CASE("resuming gives bitwise the parameters and optimizer state of one run", "[apps]") {
  TempDir dir;
  make_dataset(dir / "d.h5", 600, 48);
  const std::string common = " --data " + (dir / "d.h5") + " --batch 32 --seed 3 --threads 2 --quiet";
  for (const std::string model : {"shallow", "vae", "denoising"}) {
    INFO("model " << model);
    // A learning rate other than the default: the resumed run must take it from the checkpoint.
    const Run a = run(kTrain + common + " --model " + model + " --lr 3e-3 --epochs 4 --out " + (dir / "one.h5"));
    REQUIRE(a.code == 0);
    const Run b1 = run(kTrain + common + " --model " + model + " --lr 3e-3 --epochs 2 --out " + (dir / "two.h5"));
    REQUIRE(b1.code == 0);
    const Run b2 = run(kTrain + common + " --resume --epochs 4 --out " + (dir / "two.h5"));
    INFO(b2.out);
    REQUIRE(b2.code == 0);
    const auto one = aeg::io::load_checkpoint(dir / "one.h5"), two = aeg::io::load_checkpoint(dir / "two.h5");
    CHECK(one.epoch == 4);
    CHECK(two.epoch == 4);
    CHECK(one.step == two.step);
    REQUIRE(one.params.size() == two.params.size());
    for (std::size_t i = 0; i < one.params.size(); ++i) CHECK(same_bits(one.params[i].second, two.params[i].second));
    REQUIRE(one.optimizer_state.size() == two.optimizer_state.size());
    for (std::size_t i = 0; i < one.optimizer_state.size(); ++i)
      CHECK(same_bits(one.optimizer_state[i].second, two.optimizer_state[i].second));
    CHECK(one.test_loss == two.test_loss);
    CHECK(fs::exists(dir / "recon.png") == false);  // 48 features: no image shape, no picture
  }
}

TEST_CASE("ae-eval reports the figures, as text and as JSON", "[apps]") {
  TempDir dir;
  make_dataset(dir / "d.h5", 400, 48);
  REQUIRE(run(kTrain + " --data " + (dir / "d.h5") + " --model vae --batch 32 --epochs 1 --quiet --out " + (dir / "m.h5")).code == 0);
  const Run r = run(kEval + " --checkpoint " + (dir / "m.h5") + " --data " + (dir / "d.h5") + " --json");
  REQUIRE(r.code == 0);
  INFO(r.out);
  // Its one line (the run's log, on stderr, is in r.out too).
  const auto nl = r.out.rfind("\n{");
  const std::size_t line = nl == std::string::npos ? 0 : nl + 1;
  REQUIRE(r.out.compare(line, 1, "{") == 0);
  const auto j = nlohmann::json::parse(r.out.substr(line, r.out.find('\n', line) - line));
  CHECK(j.at("model") == "vae");
  CHECK(j.at("epoch") == 1);
  CHECK(j.at("noise") == "none");
  CHECK(j.at("samples") == 100);  // the test split: 400 / 4 rows
  const double recon = j.at("recon"), kl = j.at("kl");
  CHECK(j.at("bce_px").get<double>() == Approx(recon / 48));
  CHECK(j.at("neg_elbo").get<double>() == Approx(recon + kl));
  CHECK(j.at("loss").get<double>() == Approx(recon + kl));  // beta 1
  CHECK(kl > 0);
  CHECK(j.at("mse_px").get<double>() > 0);
  CHECK(j.at("mse_px").get<double>() < 1);
  const Run t = run(kEval + " --checkpoint " + (dir / "m.h5") + " --data " + (dir / "d.h5"));
  CHECK(t.code == 0);
  CHECK_THAT(t.out, Contains("neg_elbo"));
  // The text gives the same figures, to its 6 digits.
  const auto at = t.out.find("\nloss ");
  REQUIRE(at != std::string::npos);
  CHECK(std::stod(t.out.substr(at + 6)) == Approx(j.at("loss").get<double>()).epsilon(1e-5));
}

TEST_CASE("bad options and bad files are refused with a clear message", "[apps]") {
  TempDir dir;
  make_dataset(dir / "d.h5", 200, 48);
  make_dataset(dir / "other.h5", 200, 32);
  const std::string data = " --data " + (dir / "d.h5") + " --quiet --out " + (dir / "m.h5");
  SECTION("options") {
    Run r = run(kTrain + data + " --batch 0");
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("--batch"));
    r = run(kTrain + data + " --lr -0.1");
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("--lr"));
    r = run(kTrain + data + " --colour blue");
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("colour"));
    r = run(kTrain + data + " --model nope");
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("unknown model 'nope'"));
    r = run(kTrain + data + " --model undercomplete --kl-beta 3 --kl-rho 0.1");
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("sigmoid code"));
    // --noise is read by one parser in every app: a level with trailing text is refused by ae-train as by ae-eval.
    r = run(kTrain + data + " --model denoising --noise masking:0.2x");
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("--noise 'masking:0.2x': the level must be a number >= 0"));
    r = run(kTrain + data + " --model denoising --noise dust:0.2");
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("--noise 'dust:0.2'") && Contains("none, masking, gaussian or salt-pepper"));
    r = run(kTrain + data + " --model undercomplete --loss hinge");
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("--loss 'hinge': expected bce or mse"));
    r = run(kTrain + data + " --model sparse-kl --decay-biases maybe");
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("decay-biases"));
    // With --drop-last, a batch larger than the training set would run no step and save a NaN training loss.
    r = run(kTrain + data + " --batch 201 --drop-last");
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("--batch 201 is larger than the 200 training samples of " + (dir / "d.h5") + " (and --drop-last drops"));
    CHECK_FALSE(fs::exists(dir / "m.h5"));
    // --threads 0 is refused the same way by every app that takes it, before any work.
    for (const std::string& app : {kTrain + data, kEval + " --checkpoint " + (dir / "m.h5") + " --data " + (dir / "d.h5"),
                                   kEncode + " --checkpoint " + (dir / "m.h5") + " --data " + (dir / "d.h5"),
                                   kGenerate + " --checkpoint " + (dir / "m.h5") + " --sample 4",
                                   kDenoise + " --checkpoint " + (dir / "m.h5") + " --data " + (dir / "d.h5")}) {
      INFO(app);
      r = run(app + " --threads 0");
      CHECK(r.code == 2);
      CHECK_THAT(r.out, Contains("--threads must be at least 1, got 0"));
    }
  }
  SECTION("outputs that would destroy an input, or could not be written, are refused before any work") {
    const auto before = fs::file_size(dir / "d.h5");
    Run r = run(kTrain + " --data " + (dir / "d.h5") + " --quiet --out " + (dir / "sub/../d.h5"));
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("is the --data file"));
    fs::create_symlink(dir / "d.h5", dir / "alias.h5");
    r = run(kTrain + " --data " + (dir / "d.h5") + " --quiet --epochs 1 --batch 32 --out " + (dir / "m.h5"));
    REQUIRE(r.code == 0);
    r = run(kEncode + " --checkpoint " + (dir / "m.h5") + " --data " + (dir / "d.h5") + " --out " + (dir / "alias.h5"));
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("--out " + (dir / "alias.h5") + " is the --data file"));
    r = run(kEval + " --checkpoint " + (dir / "m.h5") + " --data " + (dir / "d.h5") + " --anomaly " + (dir / "m.h5"));
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("--anomaly " + (dir / "m.h5") + " is the --checkpoint file"));
    CHECK(fs::file_size(dir / "d.h5") == before);
    r = run(kTrain + " --data " + (dir / "d.h5") + " --quiet --out " + (dir / "nowhere/m.h5"));
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("the folder " + (dir / "nowhere") + " does not exist"));
  }
  SECTION("a second run writing the same checkpoint is refused") {
    const std::string lock = dir / "m.h5.lock";
    const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);  // as a running ae-train holds it
    Run r = run(kTrain + data + " --epochs 1 --batch 32");
    CHECK(r.code == 1);
    CHECK_THAT(r.out, Contains((dir / "m.h5") + " is being written by another run"));
    CHECK_FALSE(fs::exists(dir / "m.h5"));
    ::close(fd);
    r = run(kTrain + data + " --epochs 1 --batch 32");  // free again
    CHECK(r.code == 0);
    CHECK_FALSE(fs::exists(lock));  // the lock file goes with the run
  }
  SECTION("--decay-biases reaches the checkpoint's spec") {
    CHECK_FALSE(aeg::zoo::recipe("sparse-kl").decay_biases);  // UFLDL's weights-only decay by default
    REQUIRE(run(kTrain + data + " --model sparse-kl --decay-biases 1 --epochs 1 --batch 32").code == 0);
    const auto spec = aeg::zoo::parse_spec(aeg::io::load_checkpoint(dir / "m.h5").spec);
    CHECK(spec.weight_decay == 3e-3);
    CHECK(spec.decay_biases);
  }
  SECTION("files") {
    Run r = run(kTrain + " --data " + (dir / "missing.h5") + " --quiet --out " + (dir / "m.h5"));
    CHECK(r.code != 0);
    CHECK_THAT(r.out, Contains("missing.h5"));
    std::ofstream(dir / "text.h5") << "not hdf5\n";
    r = run(kTrain + " --data " + (dir / "text.h5") + " --quiet --out " + (dir / "m.h5"));
    CHECK(r.code != 0);
    CHECK_THAT(r.out, Contains("text.h5"));
    CHECK_FALSE(fs::exists(dir / "m.h5"));
  }
  SECTION("a checkpoint and data that do not fit together") {
    REQUIRE(run(kTrain + data + " --epochs 1 --batch 32").code == 0);
    Run r = run(kEval + " --checkpoint " + (dir / "m.h5") + " --data " + (dir / "other.h5"));
    CHECK(r.code != 0);
    CHECK_THAT(r.out, Contains("other.h5") && Contains("32 features") && Contains("expects 48"));
    r = run(kTrain + data + " --resume --epochs 2 --model deep");
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("--resume"));
    // A checkpoint whose parameters belong to another model.
    auto ck = aeg::io::load_checkpoint(dir / "m.h5");
    aeg::zoo::ModelSpec deep = aeg::zoo::recipe("deep");
    deep.features = 48;
    deep.image_shape = {};
    ck.spec = aeg::zoo::to_text(deep);
    aeg::io::save_checkpoint(dir / "wrong.h5", ck);
    r = run(kEval + " --checkpoint " + (dir / "wrong.h5") + " --data " + (dir / "d.h5"));
    CHECK(r.code != 0);
    CHECK_THAT(r.out, Contains("wrong.h5") && Contains("enc1/W"));
  }
}

TEST_CASE("a loss that turns non-finite stops training and keeps the last good checkpoint", "[apps]") {
  TempDir dir;
  make_dataset(dir / "d.h5", 300, 48);
  const std::string base = kTrain + " --data " + (dir / "d.h5") + " --model linear --batch 32 --quiet --out " + (dir / "m.h5");
  REQUIRE(run(base + " --epochs 1").code == 0);
  const auto before = aeg::io::load_checkpoint(dir / "m.h5");
  // A linear model with an absurd step size overflows within a few steps.
  const Run r = run(kTrain + " --data " + (dir / "d.h5") + " --resume --epochs 3 --lr 1e30 --batch 32 --quiet --out " + (dir / "m.h5"));
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Contains("epoch 2") && Contains("step"));
  const auto after = aeg::io::load_checkpoint(dir / "m.h5");
  CHECK(after.epoch == 1);
  CHECK(same_bits(after.params[0].second, before.params[0].second));
}

TEST_CASE("a checkpoint that cannot be written whole leaves the previous one, and says so", "[apps][bad]") {
  TempDir dir;
  make_dataset(dir / "d.h5", 200, 48);
  const std::string train = kTrain + " --data " + (dir / "d.h5") + " --batch 32 --quiet --out " + (dir / "m.h5");
  REQUIRE(run(train + " --model deep --epochs 1").code == 0);
  // A disk that fills up: files may grow to 40 KiB (the checkpoint needs more); the
  // signal a process gets past it is ignored, so the write fails as on a full disk.
  const Run r = run("trap '' XFSZ; ulimit -f 40; " + train + " --resume --epochs 2");
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Contains((dir / "m.h5") + ": the checkpoint could not be written") &&
                        Contains("the previous checkpoint is kept"));
  CHECK(aeg::io::load_checkpoint(dir / "m.h5").epoch == 1);
  for (const auto& e : fs::directory_iterator(dir.path)) CHECK(e.path().string().find(".tmp-") == std::string::npos);
}

TEST_CASE("ae-graph writes its file whole or not at all", "[apps][bad]") {
  TempDir dir;
  REQUIRE(run(kGraph + " --model shallow --out " + (dir / "g.dot")).code == 0);
  const auto before = fs::file_size(dir / "g.dot");
  const Run r = run("trap '' XFSZ; ulimit -f 1; " + kGraph + " --model deep --backward --out " + (dir / "g.dot"));
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Contains("write failed"));
  CHECK(fs::file_size(dir / "g.dot") == before);  // the old graph, not half a new one
  for (const auto& e : fs::directory_iterator(dir.path)) CHECK(e.path().string().find(".tmp-") == std::string::npos);
}
