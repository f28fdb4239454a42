#include "apps/common/model_options.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "zoo/corrupt.hpp"

namespace po = boost::program_options;

namespace aeg::apps {

namespace {

std::vector<std::int64_t> hidden_sizes(const std::string& s) {
  if (auto sizes = zoo::parse_sizes(s)) return *sizes;
  throw std::invalid_argument("--hidden '" + s + "': expected positive sizes separated by commas, e.g. 128,64");
}

void non_negative(const po::variables_map& vm, const char* name) {
  if (vm.count(name) && vm[name].as<double>() < 0)
    throw std::invalid_argument(std::string("--") + name + " must be >= 0");
}

}  // namespace

void add_model_options(po::options_description& desc) {
  std::string names;
  for (const auto& r : zoo::recipe_names()) names += (names.empty() ? "" : ", ") + r;
  desc.add_options()
      ("model", po::value<std::string>()->default_value("shallow"),
       ("recipe: " + names + ". Real-valued data (any finite values, e.g. standardized features): linear and "
        "k-sparse as they are, every other dense recipe with --loss mse --output identity; as they are, the other "
        "recipes have sigmoid outputs and need data in [0, 1]").c_str())
      ("hidden", po::value<std::string>(), "encoder hidden sizes, e.g. 128,64 ('none' for none)")
      ("code", po::value<std::int64_t>(), "code (latent) size")
      ("activation", po::value<std::string>(), ("hidden activation: " + activation_names()).c_str())
      ("code-activation", po::value<std::string>(), "code activation")
      ("output", po::value<std::string>(), "output activation: sigmoid for BCE and data in [0, 1], identity for real-valued data")
      ("loss", po::value<std::string>(), zoo::loss_help().c_str())
      ("conv-encoder", po::value<std::string>(), "conv blocks before the dense encoder, e.g. conv16-k3-s2-p1-relu,maxpool2 ('none' for none)")
      ("conv-decoder", po::value<std::string>(), "conv blocks after the dense decoder, ending in the output, e.g. convt16-k3-s2-p1-op1-relu,conv1-k3-s1-p1")
      ("conv-code", po::value<bool>(), "the conv encoder's output is the code, no dense layers (0 or 1)")
      ("tied", po::value<bool>(), "tie decoder weights to the encoder's (0 or 1)")
      ("noise", po::value<std::string>(), ("input corruption while training: KIND:LEVEL, KIND one of " + zoo::noise_names() +
                                           ", e.g. masking:0.25, gaussian:0.5").c_str())
      ("l1", po::value<double>(), "L1 activity penalty on the code")
      ("kl-rho", po::value<double>(), "KL sparsity target rate")
      ("kl-beta", po::value<double>(), "KL sparsity weight")
      ("contractive", po::value<double>(), "contractive penalty weight")
      ("k", po::value<std::int64_t>(), "k-sparse: keep the k largest code units")
      ("beta", po::value<double>(), "weight of the VAE's KL term")
      ("conditional", po::value<bool>(), "conditional VAE: one-hot label into encoder and decoder (0 or 1)")
      ("weight-decay", po::value<double>(), "L2 weight decay (Adam's, as PyTorch)")
      ("decay-biases", po::value<bool>(), "decay the biases too (1, Adam over every parameter) or the weights only (0)");
}

bool model_overrides_given(const po::variables_map& vm) {
  for (const std::string& o : zoo::spec_options())
    if (vm.count(o)) return true;
  return false;
}

std::vector<std::int64_t> parse_image_shape(const std::string& option, const std::string& text) {
  std::string sizes = text;  // 3,32,32 or 3x32x32
  std::replace(sizes.begin(), sizes.end(), 'x', ',');
  const std::vector<std::int64_t> shape = zoo::parse_sizes(sizes).value_or(std::vector<std::int64_t>{});
  if (shape.size() != 3)
    throw std::invalid_argument("--" + option + " '" + text + "': expected C,H,W, three positive sizes, e.g. 3,32,32");
  return shape;
}

zoo::ModelSpec spec_from_options(const po::variables_map& vm) { return spec_from_options(vm, 784, {1, 28, 28}); }

zoo::ModelSpec spec_from_options(const po::variables_map& vm, std::int64_t features,
                                 const std::vector<std::int64_t>& image_shape) {
  zoo::ModelSpec s = zoo::recipe(vm["model"].as<std::string>(), features, image_shape);
  if (vm.count("hidden")) {
    const std::string h = vm["hidden"].as<std::string>();
    s.hidden = h == "none" ? std::vector<std::int64_t>{} : hidden_sizes(h);
  }
  if (vm.count("code")) {
    if (vm["code"].as<std::int64_t>() <= 0) throw std::invalid_argument("--code must be positive");
    s.code = vm["code"].as<std::int64_t>();
  }
  if (vm.count("activation")) s.activation = zoo::parse_activation(vm["activation"].as<std::string>());
  if (vm.count("code-activation")) s.code_activation = zoo::parse_activation(vm["code-activation"].as<std::string>());
  if (vm.count("output")) s.output = zoo::parse_activation(vm["output"].as<std::string>());
  if (vm.count("loss")) {
    try {
      s.loss = zoo::parse_loss(vm["loss"].as<std::string>());
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("--") + e.what());
    }
  }
  for (const char* o : {"conv-encoder", "conv-decoder"}) {
    if (!vm.count(o)) continue;
    const std::string v = vm[o].as<std::string>();
    try {
      auto layers = v == "none" ? std::vector<zoo::ConvLayer>{} : zoo::parse_conv_layers(v);
      (std::string(o) == "conv-encoder" ? s.conv_encoder : s.conv_decoder) = std::move(layers);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("--") + o + ": " + e.what());
    }
  }
  if (vm.count("conv-code")) s.conv_code = vm["conv-code"].as<bool>();
  // A conv code's size follows from the conv encoder unless given.
  if (s.conv_code && !vm.count("code") && !s.conv_encoder.empty() && s.image_shape.size() == 3) {
    s.code = numel(s.conv_code_shape());
  }
  if (vm.count("tied")) s.tied = vm["tied"].as<bool>();
  if (vm.count("noise")) {  // the same parser as ae-eval's and ae-denoise's --noise
    try {
      const zoo::NoiseSpec n = zoo::parse_noise_spec(vm["noise"].as<std::string>());
      s.noise = n.noise;
      s.noise_level = n.level;
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("--") + e.what());
    }
  }
  for (const char* o : {"l1", "kl-rho", "kl-beta", "contractive", "beta", "weight-decay"}) non_negative(vm, o);
  if (vm.count("l1")) s.l1 = vm["l1"].as<double>();
  if (vm.count("kl-rho")) s.kl_rho = vm["kl-rho"].as<double>();
  if (vm.count("kl-beta")) s.kl_beta = vm["kl-beta"].as<double>();
  if (vm.count("contractive")) s.contractive = vm["contractive"].as<double>();
  if (vm.count("k")) s.k_sparse = vm["k"].as<std::int64_t>();
  if (vm.count("beta")) s.beta = vm["beta"].as<double>();
  if (vm.count("conditional")) s.conditional = vm["conditional"].as<bool>();
  if (vm.count("weight-decay")) s.weight_decay = vm["weight-decay"].as<double>();
  if (vm.count("decay-biases")) s.decay_biases = vm["decay-biases"].as<bool>();
  if (model_overrides_given(vm)) s.recipe = vm["model"].as<std::string>() + "+";
  zoo::validate(s);
  return s;
}

}  // namespace aeg::apps
