#include "workloads.hpp"

#include <array>
#include <stdexcept>

#include "engine/executor.hpp"
#include "engine/optim.hpp"
#include "zoo/model.hpp"

namespace aeg::bench {

namespace {

double dense_flops(const std::vector<std::pair<int, int>>& layers, std::int64_t b) {
  double s = 0;
  for (auto [n, m] : layers) s += 2.0 * static_cast<double>(b) * n * m * 3.0;
  return s;
}

// A conv (or transposed conv) layer as GEMMs: 2 * C_in * C_out * k * k multiply-adds per
// position of its smaller side, forward, and twice that backward.
double conv_flops(const std::vector<std::array<int, 4>>& layers, std::int64_t b) {
  double s = 0;
  for (auto [cin, cout, k, positions] : layers) s += 2.0 * static_cast<double>(b) * cin * cout * k * k * positions * 3.0;
  return s;
}

struct ModelState {
  std::unique_ptr<zoo::Model> model;
  Plan plan;
  ParamStore<float> params;
  std::unique_ptr<Executor<float>> ex;
  std::unique_ptr<Adam<float>> opt;
  std::int64_t rows = 0, features = 0;  // of the input batch
};

Workload model_workload(const std::string& id, const std::string& name, const zoo::ModelSpec& spec,
                        std::int64_t batch, int threads, double flops, bool profile) {
  auto st = std::make_shared<ModelState>();
  st->model = zoo::build(spec, batch);
  st->rows = batch;
  st->features = spec.features;
  st->plan = compile(st->model->graph, {st->model->loss});
  Rng rng(0);
  st->params.init_from(st->model->graph, rng);
  st->ex = std::make_unique<Executor<float>>(st->plan, st->params, ExecOptions{.threads = threads, .seed = 1, .profile = profile});
  st->opt = std::make_unique<Adam<float>>(st->params, AdamOptions{.lr = 1e-3, .threads = threads});
  Workload w{id, name, batch, spec.features, flops, st->ex->planned_bytes(), st->ex->naive_bytes(), {}, {}, st};
  ModelState* s = st.get();
  w.op_times = [s] { return s->ex->op_times(); };
  w.step = [s](const float* x) {
    // As the reference's narrow(): no copy. x holds one batch of rows.
    s->ex->bind_input(s->model->x, std::span<const float>(x, static_cast<std::size_t>(s->rows * s->features)));
    s->opt->zero_grad();
    s->ex->forward();
    s->ex->backward();
    s->opt->step();
  };
  return w;
}

struct TinyState {
  Graph g;
  Var x, out;
  Plan plan;
  ParamStore<float> params;
  std::unique_ptr<Executor<float>> ex;
};

Workload tiny(int threads, bool profile) {
  auto st = std::make_shared<TinyState>();
  st->x = st->g.input("x", {1, 16}, true);
  Var h = st->x;
  for (int i = 0; i < 200; ++i) h = i % 2 == 0 ? add_scalar(h, 0.1) : tanh(h);
  st->out = sum(h);
  st->plan = compile(st->g, {st->out});
  st->ex = std::make_unique<Executor<float>>(st->plan, st->params, ExecOptions{.threads = threads, .profile = profile});
  Rng rng(123);
  float* xin = st->ex->input_data(st->x);
  for (int i = 0; i < 16; ++i) xin[i] = static_cast<float>(rng.uniform());
  Workload w{"W5", "tiny", 1, 16, 0, st->ex->planned_bytes(), st->ex->naive_bytes(), {}, {}, st};
  TinyState* s = st.get();
  w.op_times = [s] { return s->ex->op_times(); };
  w.step = [s](const float*) {
    s->ex->forward();
    s->ex->backward();
  };
  return w;
}

}  // namespace

std::vector<std::string> workload_ids() { return {"W1", "W2", "W3", "W4", "W5"}; }

Workload make_workload(const std::string& id, int threads, bool profile) {
  if (id == "W1")
    return model_workload(id, "shallow", zoo::recipe("shallow"), 256, threads, dense_flops({{784, 64}, {64, 784}}, 256), profile);
  if (id == "W2") {
    zoo::ModelSpec s = zoo::recipe("deep");
    s.recipe = "deep-w2";
    s.hidden = {512, 256};
    s.code = 64;
    return model_workload(id, "deep", s, 256, threads,
                          dense_flops({{784, 512}, {512, 256}, {256, 64}, {64, 256}, {256, 512}, {512, 784}}, 256), profile);
  }
  if (id == "W3")
    return model_workload(id, "conv", zoo::recipe("conv"), 128, threads,
                          conv_flops({{1, 32, 3, 14 * 14}, {32, 64, 3, 7 * 7}, {64, 32, 3, 7 * 7}, {32, 1, 3, 14 * 14}}, 128) +
                              dense_flops({{3136, 32}, {32, 3136}}, 128), profile);
  if (id == "W4")
    return model_workload(id, "vae", zoo::recipe("vae"), 128, threads,
                          dense_flops({{784, 400}, {400, 20}, {400, 20}, {20, 400}, {400, 784}}, 128), profile);
  if (id == "W5") return tiny(threads, profile);
  throw std::invalid_argument("unknown workload '" + id + "' (known: W1, W2, W3, W4, W5)");
}

Workload make_recipe_workload(const std::string& recipe, std::int64_t batch, int threads, bool profile) {
  if (batch < 1) throw std::invalid_argument("--batch must be >= 1, got " + std::to_string(batch));
  return model_workload(recipe, recipe, zoo::recipe(recipe), batch, threads, 0, profile);
}

}  // namespace aeg::bench
