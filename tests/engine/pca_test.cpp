// A known answer from linear algebra: the best rank-k affine reconstruction of
// a data set leaves a mean squared error equal to the sum of the smallest
// (d - k) eigenvalues of its covariance (PCA, Eckart-Young). A linear
// undercomplete autoencoder trained with Adam must get there.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xtensor.hpp>

#include "engine/executor.hpp"
#include "engine/ops.hpp"
#include "engine/optim.hpp"

using namespace aeg;

TEST_CASE("a linear autoencoder trained with Adam reaches the PCA reconstruction error", "[pca][optim]") {
  constexpr std::int64_t N = 2000, D = 32, K = 8;
  const auto t0 = std::chrono::steady_clock::now();

  // A random covariance Q diag(lambda) Q^T with a decaying spectrum, Q orthogonal
  // (from the eigenvectors of a random symmetric matrix).
  Rng rng(2024);
  xt::xtensor<double, 2> S = xt::zeros<double>({D, D});
  for (std::int64_t i = 0; i < D; ++i)
    for (std::int64_t j = 0; j <= i; ++j) S(i, j) = S(j, i) = rng.normal();
  xt::xtensor<double, 2> Q = std::get<1>(xt::linalg::eigh(S));
  xt::xtensor<double, 2> cov = xt::zeros<double>({D, D});
  for (std::int64_t i = 0; i < D; ++i)
    for (std::int64_t j = 0; j < D; ++j) {
      double s = 0;
      for (std::int64_t k = 0; k < D; ++k) s += Q(i, k) * 2.0 * std::pow(0.85, static_cast<double>(k)) * Q(j, k);
      cov(i, j) = s;
    }
  xt::xtensor<double, 2> L = xt::linalg::cholesky(cov);

  // Samples mean + L z in float32 (the training data), with a non-zero mean the biases must learn.
  Tensor<float> X({N, D});
  std::vector<double> mu(D), z(D);
  for (auto& m : mu) m = rng.uniform(-1, 1);
  for (std::int64_t n = 0; n < N; ++n) {
    for (auto& v : z) v = rng.normal();
    for (std::int64_t i = 0; i < D; ++i) {
      double s = mu[static_cast<std::size_t>(i)];
      for (std::int64_t k = 0; k <= i; ++k) s += L(i, k) * z[static_cast<std::size_t>(k)];
      X[n * D + i] = static_cast<float>(s);
    }
  }

  // The sample covariance of exactly those numbers (1/N, centred) and its eigenvalues.
  std::vector<double> mean(D, 0.0);
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t i = 0; i < D; ++i) mean[static_cast<std::size_t>(i)] += X[n * D + i];
  for (auto& m : mean) m /= static_cast<double>(N);
  xt::xtensor<double, 2> C = xt::zeros<double>({D, D});
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t i = 0; i < D; ++i) {
      const double xi = X[n * D + i] - mean[static_cast<std::size_t>(i)];
      for (std::int64_t j = 0; j < D; ++j) C(i, j) += xi * (X[n * D + j] - mean[static_cast<std::size_t>(j)]);
    }
  C /= static_cast<double>(N);
  const xt::xtensor<double, 1> eig = std::get<0>(xt::linalg::eigh(C));  // ascending
  double optimum = 0, total = 0;
  for (std::int64_t i = 0; i < D; ++i) {
    total += eig(i);
    if (i < D - K) optimum += eig(i);
  }

  // x_hat = (x W_e^T + b_e) W_d^T + b_d, trained full-batch on mse = mean over
  // samples of 1/2 ||x - x_hat||^2.
  Graph g;
  Var x = g.input("x", {N, D});
  Var h = linear(x, g.param("W_e", {K, D}, Init::torch_default(D)), g.param("b_e", {K}, Init::torch_default(D)));
  Var y = linear(h, g.param("W_d", {D, K}, Init::torch_default(K)), g.param("b_d", {D}, Init::torch_default(K)));
  Var loss = mse(y, x);
  const Plan plan = compile(g, {loss});
  ParamStore<float> ps;
  Rng init(7);
  ps.init_from(g, init);
  Executor<float> ex(plan, ps, {.threads = 2});
  ex.set_input(x, X);
  Adam<float> opt(ps, {.lr = 0.02, .threads = 2});
  const int steps = 1500;
  for (int s = 0; s < steps; ++s) {
    // Cosine decay to 1 % of the initial rate.
    opt.set_lr(0.02 * (0.01 + 0.99 * 0.5 * (1 + std::cos(M_PI * s / steps))));
    opt.zero_grad();
    ex.forward();
    ex.backward();
    opt.step();
  }
  ex.forward();
  const double trained = 2.0 * ex.scalar(loss);  // per-sample squared error, averaged

  // The same error in double from the trained parameters, independently of the ops.
  const auto& We = ps.at("W_e").value;
  const auto& be = ps.at("b_e").value;
  const auto& Wd = ps.at("W_d").value;
  const auto& bd = ps.at("b_d").value;
  double err = 0;
  std::vector<double> hh(K);
  for (std::int64_t n = 0; n < N; ++n) {
    for (std::int64_t k = 0; k < K; ++k) {
      double s = be[k];
      for (std::int64_t i = 0; i < D; ++i) s += static_cast<double>(We[k * D + i]) * X[n * D + i];
      hh[static_cast<std::size_t>(k)] = s;
    }
    for (std::int64_t i = 0; i < D; ++i) {
      double s = bd[i];
      for (std::int64_t k = 0; k < K; ++k) s += static_cast<double>(Wd[i * K + k]) * hh[static_cast<std::size_t>(k)];
      err += (X[n * D + i] - s) * (X[n * D + i] - s);
    }
  }
  err /= static_cast<double>(N);

  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO("total variance " << total << ", PCA optimum (24 smallest eigenvalues) " << optimum << ", trained "
                         << trained << " (recomputed in double " << err << "), ratio " << err / optimum << ", "
                         << secs << " s");
  CHECK(trained == Approx(err).epsilon(1e-3));
  CHECK(err >= optimum * (1 - 1e-6));  // nothing beats PCA
  CHECK(err <= optimum * 1.02);
  WARN("PCA test: trained error / PCA optimum = " << err / optimum << " after " << steps << " steps, " << secs << " s");
}
