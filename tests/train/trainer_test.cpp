// The trainer as a library and as ae-train: the last, smaller batch of an
// epoch, the run's settings kept by --resume, and a model built by hand going
// through the same trainer, evaluator and checkpoints as the zoo's.
#include <catch2/catch.hpp>

#include <cstring>

#include "engine/ops.hpp"
#include "io/batch_reader.hpp"
#include "io/checkpoint.hpp"
#include "tests/apps/support.hpp"
#include "train/evaluate.hpp"
#include "train/model_state.hpp"
#include "train/trainer.hpp"

using Catch::Matchers::Contains;
using namespace aeg;
using namespace aeg::test;

namespace {

bool same_params(const io::Checkpoint& a, const io::Checkpoint& b) {
  if (a.params.size() != b.params.size()) return false;
  for (std::size_t i = 0; i < a.params.size(); ++i) {
    const Tensor<float>&x = a.params[i].second, &y = b.params[i].second;
    if (a.params[i].first != b.params[i].first || x.shape != y.shape ||
        std::memcmp(x.ptr(), y.ptr(), sizeof(float) * x.data.size()) != 0)
      return false;
  }
  return true;
}

// z = sigmoid(W x + b_e), x_hat = sigmoid(W^T z + b_d): 48 features, a code of 8.
train::ModelDef tied_by_hand() {
  zoo::ModelSpec interface;
  interface.features = 48;
  interface.image_shape = {};
  interface.code = 8;
  interface.loss = zoo::Loss::BCE;
  interface.output = Activation::Sigmoid;
  return train::ModelDef::hand_built("tied-48-8", interface, [](std::int64_t batch, const zoo::BuildOptions& o) {
    auto m = std::make_unique<zoo::Model>();
    Graph& g = m->graph;
    m->x = g.input("x", {batch, 48});
    m->target = o.separate_target ? g.input("target", {batch, 48}) : m->x;
    Var W = g.param("W", {8, 48}, Init::torch_default(48));
    Var b_e = g.param("b_e", {8}, Init::zeros()), b_d = g.param("b_d", {48}, Init::zeros());
    m->code = sigmoid(linear(m->x, W, b_e));
    m->logits = add(matmul(m->code, W), b_d);
    m->recon = sigmoid(m->logits);
    m->recon_loss = m->loss = bce_with_logits(m->logits, m->target);
    return m;
  });
}

}  // namespace

TEST_CASE("every sample trains each epoch, the last batch smaller, unless --drop-last", "[apps][trainer]") {
  TempDir dir;
  make_dataset(dir / "d.h5", 200, 48);
  const std::string common = kTrain + " --data " + (dir / "d.h5") + " --model shallow --epochs 2 --quiet";
  REQUIRE(run(common + " --batch 64 --out " + (dir / "all.h5")).code == 0);
  CHECK(io::load_checkpoint(dir / "all.h5").step == 2 * 4);  // 64 + 64 + 64 + 8
  REQUIRE(run(common + " --batch 64 --drop-last --out " + (dir / "drop.h5")).code == 0);
  CHECK(io::load_checkpoint(dir / "drop.h5").step == 2 * 3);
  // A batch larger than the split is one smaller batch per epoch.
  const Run big = run(common + " --batch 500 --out " + (dir / "big.h5"));
  INFO(big.out);
  REQUIRE(big.code == 0);
  const io::Checkpoint ck = io::load_checkpoint(dir / "big.h5");
  CHECK(ck.step == 2);
  CHECK(std::isfinite(ck.train_loss.back()));
}

TEST_CASE("a resumed run keeps its settings unless they are given again, and says which changed", "[apps][trainer]") {
  TempDir dir;
  make_dataset(dir / "d.h5", 300, 48);
  const std::string data = kTrain + " --data " + (dir / "d.h5") + " --model denoising --quiet";
  const std::string settings = " --batch 50 --seed 3 --train-limit 230 --lr 3e-3";
  REQUIRE(run(data + settings + " --epochs 3 --out " + (dir / "one.h5")).code == 0);
  REQUIRE(run(data + settings + " --epochs 1 --out " + (dir / "two.h5")).code == 0);
  // None of the settings given again: the run goes on as the one it continues.
  const Run resumed = run(kTrain + " --data " + (dir / "d.h5") + " --resume --epochs 3 --out " + (dir / "two.h5"));
  INFO(resumed.out);
  REQUIRE(resumed.code == 0);
  const io::Checkpoint one = io::load_checkpoint(dir / "one.h5"), two = io::load_checkpoint(dir / "two.h5");
  CHECK(two.training == one.training);
  CHECK_THAT(one.training, Contains("batch = 50") && Contains("seed = 3") && Contains("train_limit = 230"));
  CHECK(one.step == two.step);
  CHECK(one.test_loss == two.test_loss);
  CHECK(same_params(one, two));
  // One given again with another value: used, and said.
  const Run changed = run(kTrain + " --data " + (dir / "d.h5") + " --resume --batch 40 --epochs 4 --out " + (dir / "two.h5"));
  REQUIRE(changed.code == 0);
  CHECK_THAT(changed.out, Contains("resuming with --batch 40 (the checkpoint trained with 50)"));
  CHECK_THAT(io::load_checkpoint(dir / "two.h5").training, Contains("batch = 40") && Contains("seed = 3"));
}

TEST_CASE("a model built by hand trains, checkpoints, resumes and evaluates through the library", "[trainer]") {
  TempDir dir;
  make_dataset(dir / "d.h5", 300, 48);
  const train::ModelDef def = tied_by_hand();
  train::TrainConfig c;
  c.data = dir / "d.h5";
  c.out = dir / "tied.h5";
  c.epochs = 2;
  c.batch = 32;
  c.lr = 1e-2;
  c.threads = 1;
  c.quiet = true;
  const train::TrainResult first = train::fit(def, c);
  CHECK(first.epochs_run == 2);
  const io::Checkpoint ck = io::load_checkpoint(c.out);
  CHECK(ck.builder == "tied-48-8");
  CHECK(ck.step == 2 * 10);  // 300 rows: 9 of 32 and one of 12
  CHECK(ck.train_loss[1] < ck.train_loss[0]);

  // The apps cannot rebuild it from the file; the program that built it can.
  CHECK_THROWS_WITH(train::load_model(c.out), Contains("built by a program ('tied-48-8'"));
  const Run eval = run(kEval + " --checkpoint " + c.out + " --data " + (dir / "d.h5"));
  CHECK(eval.code != 0);
  CHECK_THAT(eval.out, Contains("cannot be rebuilt from the file alone"));
  train::LoadedModel lm = train::load_model(c.out, def);
  io::BatchReader test(dir / "d.h5", "test", 500, {.shuffle = false});
  const train::Metrics m = train::evaluate(lm.def, lm.params, test, {.batch = 500, .threads = 1, .seed = 1 + 1000 + 1});
  CHECK(m.loss == ck.test_loss.back());
  CHECK(m.bce);

  // Resumed, it goes on bitwise as one run of three epochs.
  c.resume = true;
  c.epochs = 3;
  train::fit(def, c);
  train::TrainConfig one = c;
  one.resume = false;
  one.out = dir / "one.h5";
  train::fit(def, one);
  CHECK(same_params(io::load_checkpoint(c.out), io::load_checkpoint(one.out)));

  // Another program's model is not this one.
  const train::ModelDef other = train::ModelDef::hand_built("other", def.spec, def.build);
  CHECK_THROWS_WITH(train::load_model(c.out, other), Contains("/builder is 'tied-48-8', expected 'other'"));
}

TEST_CASE("a hand-built model's roles are checked against its interface", "[trainer]") {
  train::ModelDef def = tied_by_hand();
  CHECK(def.make(4)->recon.shape() == Shape{4, 48});
  def.spec.code = 9;
  CHECK_THROWS_WITH(def.make(4), Contains("model 'tied-48-8': its code has shape [4, 8], expected [4, 9]"));
  def.spec.code = 8;
  def.spec.features = 40;
  CHECK_THROWS_WITH(def.make(4), Contains("its x has shape [4, 48], expected [4, 40]"));
  const train::ModelDef no_target = train::ModelDef::hand_built("t", tied_by_hand().spec, [](std::int64_t b, const zoo::BuildOptions&) {
    return tied_by_hand().build(b, {});
  });
  CHECK_THROWS_WITH(no_target.make(4, {.separate_target = true}), Contains("needs a target input of its own"));
  CHECK_THROWS_WITH(train::ModelDef::hand_built("", def.spec, def.build), Contains("needs a name"));
}

TEST_CASE("resuming from a checkpoint with partial optimizer state names the file and the tensor", "[apps][trainer]") {
  TempDir dir;
  make_dataset(dir / "d.h5", 100, 48);
  const std::string out = dir / "m.h5";
  REQUIRE(run(kTrain + " --data " + (dir / "d.h5") + " --model shallow --epochs 1 --batch 50 --quiet --out " + out).code == 0);
  io::Checkpoint ck = io::load_checkpoint(out);
  const auto before = ck.optimizer_state.size();
  std::erase_if(ck.optimizer_state, [](const auto& t) { return t.first == "m/enc0/W"; });
  REQUIRE(ck.optimizer_state.size() == before - 1);
  io::save_checkpoint(out, ck);
  const Run r = run(kTrain + " --data " + (dir / "d.h5") + " --resume --epochs 2 --quiet --out " + out);
  CHECK(r.code != 0);
  CHECK_THAT(r.out, Contains(out + ": /optimizer/state does not match the model") && Contains("m/enc0/W"));
}
