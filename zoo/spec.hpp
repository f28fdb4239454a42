// An autoencoder as plain data: what `ae-train` parses from its options, what a
// checkpoint stores, and what a C++ user fills in. zoo::build turns it into a graph.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/ops.hpp"
#include "zoo/conv_layers.hpp"

namespace aeg::zoo {

enum class Loss { BCE, MSE };             // BCE on sigmoid outputs; MSE = 1/2 sum of squares
enum class Noise { None, Masking, Gaussian, SaltPepper };

struct ModelSpec {
  std::string recipe = "custom";
  std::int64_t features = 784;
  std::vector<std::int64_t> image_shape = {1, 28, 28};  // C, H, W (pictures); empty if not images

  // Encoder: features -> hidden... -> code. The decoder mirrors it unless given.
  std::vector<std::int64_t> hidden;
  std::int64_t code = 32;
  Activation activation = Activation::Relu;       // hidden layers
  Activation code_activation = Activation::Relu;  // the code layer (not used by a VAE)
  std::vector<std::int64_t> decoder_hidden;       // empty: reverse of `hidden`
  bool mirror_decoder = true;                     // false: decoder_hidden as given (may be empty)
  Activation output = Activation::Sigmoid;
  Loss loss = Loss::BCE;

  // Convolutional blocks (image_shape needed). conv_encoder runs on the image before the
  // dense encoder; conv_decoder runs after the dense decoder, on the conv encoder's output
  // shape, and its last layer gives the output. conv_code: the code is the conv encoder's
  // output flattened, with no dense layers (`code` must be its size).
  std::vector<ConvLayer> conv_encoder, conv_decoder;
  bool conv_code = false;

  bool tied = false;                              // decoder weight i = encoder weight mirror(i)^T
  Noise noise = Noise::None;                      // input corruption while training
  double noise_level = 0;                         // rate (masking, salt-and-pepper) or sigma
  double l1 = 0;                                  // lambda * sum |code|
  double kl_rho = 0, kl_beta = 0;                 // beta * KL(rho || mean code), sigmoid codes
  double contractive = 0;                         // lambda * ||J||_F^2 (one-layer encoders)
  std::int64_t k_sparse = 0;                      // keep the k largest code units
  bool variational = false;                       // mu / logvar heads, reparameterisation, KL
  double beta = 1;                                // weight of the Gaussian KL
  bool conditional = false;                       // one-hot label into encoder and decoder
  std::int64_t classes = 10;
  double weight_decay = 0;                        // for the optimizer (L2 as PyTorch's Adam)
  bool decay_biases = true;                       // false: weights only (UFLDL's lambda/2 sum W^2)

  std::vector<std::int64_t> decoder_sizes() const;  // hidden sizes of the decoder
  std::vector<std::int64_t> conv_code_shape() const;  // C,H,W out of conv_encoder (empty if none)
};

// "key = value" lines, one per field; parse checks every key and value and
// throws std::invalid_argument naming the bad line.
std::string to_text(const ModelSpec& spec);
ModelSpec parse_spec(const std::string& text);
// The apps' options that set a spec field (ae-train --code, --noise, ...), from the
// spec's table of fields: a recipe given any of them is named "<recipe>+".
std::vector<std::string> spec_options();
// "128,64" as sizes (empty items skipped, "" is none); nullopt unless every item is a
// positive integer. The one reader of size lists: spec text and the apps' options.
std::optional<std::vector<std::int64_t>> parse_sizes(const std::string& s);

// What a model's targets (its input data, after any scaling) must be: what
// its reconstruction can reach. BCE needs [0, 1]; with MSE the output
// activation's range bounds them (sigmoid [0, 1], tanh [-1, 1], relu and softplus
// [0, inf), elu [-1, inf)); identity and leaky_relu outputs take any finite value.
struct TargetRange {
  double lo, hi;       // +-infinity where unbounded
  std::string need;    // "BCE needs targets in [0, 1]"
  std::string remedy;  // "use --loss mse --output identity, or rescale"
  bool bounded() const;
};
TargetRange target_range(const ModelSpec& spec);
// The closed range of an activation's values (+-infinity where unbounded).
std::pair<double, double> value_range(Activation a);

// Refuses combinations that make no sense (KL sparsity on a ReLU code, a
// contractive penalty on a deep encoder, k larger than the code, ...).
void validate(const ModelSpec& spec);

// The named recipes of the zoo: dense ("shallow", "undercomplete", "tied", "deep",
// "sparse-l1", "sparse-kl", "denoising", "contractive", "linear", "vae",
// "beta-vae", "cvae", "vae-2d", "k-sparse") and convolutional ("conv",
// "conv-strided", "conv-pool", "conv-denoise", "conv-vae"), for 1 x 28 x 28 images.
ModelSpec recipe(const std::string& name);
// The recipe for data of `features` columns that are images of `image_shape`
// (C,H,W) or flat (empty): the conv recipes work out their layers for C x H x W
// (zoo/conv_recipes.hpp) and refuse flat data.
ModelSpec recipe(const std::string& name, std::int64_t features, const std::vector<std::int64_t>& image_shape);
std::vector<std::string> recipe_names();

std::string to_string(Activation a);
Activation parse_activation(const std::string& s);
std::string to_string(Noise n);
Noise parse_noise(const std::string& s);
std::string noise_names();  // "none, masking, gaussian or salt-pepper"
std::string to_string(Loss l);
Loss parse_loss(const std::string& s);
std::string loss_help();    // each loss with what it is for, for --loss's help

}  // namespace aeg::zoo
