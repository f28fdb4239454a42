// The op vocabulary: free functions on Var that append nodes to the graph.
// Each reads like the maths: z = sigmoid(linear(x, W_e, b_e)).
// Elementwise binary ops broadcast like NumPy. Losses are the mean over the
// batch (axis 0) of a per-sample sum, as a 0-d value.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/activation.hpp"
#include "engine/graph.hpp"

namespace aeg {

// ---- elementwise (broadcasting)
Var add(Var a, Var b);
Var sub(Var a, Var b);
Var mul(Var a, Var b);
Var div(Var a, Var b);
Var neg(Var a);
Var add_scalar(Var a, double s);
Var mul_scalar(Var a, double s);
Var pow_scalar(Var a, double p);  // a^p (a > 0 unless p is a whole number)
Var exp(Var a);
Var log(Var a);
Var sqrt(Var a);
Var square(Var a);
Var abs(Var a);
Var clip(Var a, double lo, double hi);

inline Var operator+(Var a, Var b) { return add(a, b); }
inline Var operator-(Var a, Var b) { return sub(a, b); }
inline Var operator*(Var a, Var b) { return mul(a, b); }
inline Var operator/(Var a, Var b) { return div(a, b); }
inline Var operator-(Var a) { return neg(a); }
inline Var operator+(Var a, double s) { return add_scalar(a, s); }
inline Var operator+(double s, Var a) { return add_scalar(a, s); }
inline Var operator-(Var a, double s) { return add_scalar(a, -s); }
inline Var operator-(double s, Var a) { return add_scalar(neg(a), s); }
inline Var operator*(Var a, double s) { return mul_scalar(a, s); }
inline Var operator*(double s, Var a) { return mul_scalar(a, s); }
inline Var operator/(Var a, double s) { return mul_scalar(a, 1.0 / s); }
inline Var operator/(double s, Var a) { return mul_scalar(pow_scalar(a, -1.0), s); }

// ---- activations
Var sigmoid(Var a);
Var tanh(Var a);
Var relu(Var a);
Var leaky_relu(Var a, double slope = 0.01);
Var elu(Var a, double alpha = 1.0);
Var softplus(Var a);
Var identity(Var a);

// ---- linear algebra and shape
// op(a) op(b), op = transpose when the flag is set; 2-D operands.
Var matmul(Var a, Var b, bool trans_a = false, bool trans_b = false);
// x W^T + b for x (batch, in), W (out, in), b (out): PyTorch's nn.Linear.
Var linear(Var x, Var w, Var b);
Var transpose(Var a);                        // 2-D
Var reshape(Var a, Shape shape);             // one dimension may be -1
Var concat(const std::vector<Var>& parts, int axis);
Var slice(Var a, int axis, std::int64_t begin, std::int64_t end);

// ---- reductions (axis < 0 counts from the end; keepdims = false drops it)
Var sum(Var a);                              // 0-d
Var sum(Var a, int axis, bool keepdims = false);
Var mean(Var a);
Var mean(Var a, int axis, bool keepdims = false);

// ---- losses: mean over the batch of a per-sample sum, 0-d
Var bce(Var p, Var x, double eps = 1e-7);    // -[x log p + (1-x) log(1-p)], p clamped to [eps, 1-eps]
Var bce_with_logits(Var logits, Var x);      // the same on logits, numerically stable
Var mse(Var y, Var x);                       // 1/2 sum (y - x)^2
Var l1_activity(Var h);                      // sum |h|
Var kl_sparsity(Var h, double rho);          // sum_j KL(rho || mean over batch of h_j)
// The same linearised at a given mean m (shape [numel(h) / rows]; e.g. a whole
// batch's mean fed to each block of it): sum_j KL(rho || m_j) + KL'(m_j) (mean
// over batch of h_j - m_j), KL' its derivative in m_j. dL/dh_ij = KL'(m_j) /
// rows, kl_sparsity's gradient at mean m; no gradient to m. With m h's own
// batch mean (rounded as kl_sparsity rounds it), kl_sparsity's bits.
Var kl_sparsity(Var h, double rho, Var mean);
Var gaussian_kl(Var mu, Var logvar);         // -1/2 sum (1 + logvar - mu^2 - exp(logvar))

// The contractive penalty ||J||_F^2 = sum_j f'(a_j)^2 sum_i W_ji^2 for h = f(a),
// a = x W^T + b, W (hidden, in): batch mean of the per-sample value.
// (Activation: engine/activation.hpp.)
Var contractive(Var a, Var w, Activation f);
Var activate(Var a, Activation f);           // applies f (default slope/alpha)

// ---- codes
// Keeps the k largest entries of each row (ties: lower index first), zeroes the
// rest; the gradient flows through the kept entries only.
Var k_sparse(Var h, std::int64_t k);

// ---- random: identity in evaluation plans; draws from the executor's generator
Var gaussian_noise(Var x, double sigma);
Var masking_noise(Var x, double rate);       // zeroes each element with probability rate
Var salt_pepper_noise(Var x, double rate);   // sets each element to 0 or 1 (even odds) with probability rate
// mu + exp(logvar / 2) * eps, eps ~ N(0, 1), drawn in every plan (a VAE's ELBO is
// estimated with a sample); the executor's seed makes it repeatable.
Var reparameterize(Var mu, Var logvar);

// ---- convolution (NCHW, as PyTorch's functional API; dilation 1, zero padding)
// x (N, C, H, W), w (O, C, kh, kw), b (O) -> (N, O, (H + 2p - kh)/s + 1, (W + 2p - kw)/s + 1).
Var conv2d(Var x, Var w, Var b, std::int64_t stride = 1, std::int64_t padding = 0);
Var conv2d(Var x, Var w, std::int64_t stride = 1, std::int64_t padding = 0);  // no bias
// x (N, C_in, H, W), w (C_in, C_out, kh, kw), b (C_out) -> (N, C_out, OH, OW) with
// OH = (H - 1)s - 2p + kh + output_padding (likewise OW); output_padding < stride.
Var conv_transpose2d(Var x, Var w, Var b, std::int64_t stride = 1, std::int64_t padding = 0,
                     std::int64_t output_padding = 0);
Var conv_transpose2d(Var x, Var w, std::int64_t stride = 1, std::int64_t padding = 0,
                     std::int64_t output_padding = 0);  // no bias
// Output padding per side (height, width), e.g. 1 and 0 to bring 8x12 back to 16x23.
Var conv_transpose2d(Var x, Var w, Var b, std::int64_t stride, std::int64_t padding, std::int64_t output_padding_h,
                     std::int64_t output_padding_w);
// relu(conv2d(...)) and relu(conv_transpose2d(...)) as one op, the same bits: the
// ReLU runs on each sample's output while it is in cache, saving two passes over
// the activation (forward and backward).
Var conv2d_relu(Var x, Var w, Var b, std::int64_t stride = 1, std::int64_t padding = 0);
Var conv_transpose2d_relu(Var x, Var w, Var b, std::int64_t stride = 1, std::int64_t padding = 0,
                          std::int64_t output_padding = 0);
Var conv_transpose2d_relu(Var x, Var w, Var b, std::int64_t stride, std::int64_t padding,
                          std::int64_t output_padding_h, std::int64_t output_padding_w);
// Pools over kernel x kernel windows of x (N, C, H, W), no padding; stride 0 means
// stride = kernel (PyTorch's default). ceil_mode keeps a last, partial window when it
// starts inside the input. max: the gradient goes to the first maximum (row-major) of
// each window. avg: the mean over the window's in-bounds elements.
Var max_pool2d(Var x, std::int64_t kernel, std::int64_t stride = 0, bool ceil_mode = false);
Var avg_pool2d(Var x, std::int64_t kernel, std::int64_t stride = 0, bool ceil_mode = false);
// Nearest-neighbour upsampling by an integer factor: (N, C, H, W) -> (N, C, H f, W f).
Var upsample2d(Var x, std::int64_t factor);

// ---- the registry
// The name (Op::name) of every op the functions above make, sorted: the test
// suite checks each has a gradient-check case. engine/registry.cpp says how to add one.
std::vector<std::string> registered_ops();

}  // namespace aeg
