#include "models/core/model_manifest.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "models/core/flat_yaml.h"

namespace bigpe::models {
namespace {

constexpr const char* kFamilies = "sd1, sd2, sd2-v, sdxl, sdxl-turbo, hpsv2, pickscore, aesthetic";

// Reads typed values from the flat manifest, remembering which keys were
// used so that leftovers can be reported as unknown.
class Reader {
 public:
  Reader(std::map<std::string, FlatYamlValue> values, std::string origin)
      : values_(std::move(values)), origin_(std::move(origin)) {}

  [[noreturn]] void fail(int line, const std::string& what) const {
    throw std::runtime_error(origin_ + (line > 0 ? ":" + std::to_string(line) : "") + ": " + what);
  }
  int line(const std::string& key) const {
    auto it = values_.find(key);
    return it == values_.end() ? 0 : it->second.line;
  }
  bool has(const std::string& key) const { return values_.count(key) > 0; }

  std::string str(const std::string& key, const char* fallback = nullptr) {
    used_.insert(key);
    auto it = values_.find(key);
    if (it == values_.end() || it->second.value.empty()) {
      if (fallback) return fallback;
      fail(0, "missing required key '" + key + "'");
    }
    return it->second.value;
  }
  double number(const std::string& key, double lo, double hi, const double* fallback = nullptr) {
    return ranged<double>(key, lo, hi, fallback, "a number",
                          [](const char* s, char** end) { return std::strtod(s, end); });
  }
  long long integer(const std::string& key, long long lo, long long hi, const long long* fallback = nullptr) {
    return ranged<long long>(key, lo, hi, fallback, "an integer",
                             [](const char* s, char** end) { return std::strtoll(s, end, 10); });
  }
  bool boolean(const std::string& key, bool fallback) {
    if (!has(key)) {
      used_.insert(key);
      return fallback;
    }
    std::string s = str(key);
    if (s == "true" || s == "yes") return true;
    if (s == "false" || s == "no") return false;
    fail(line(key), "'" + key + "' must be true or false, got '" + s + "'");
  }
  std::string choice(const std::string& key, const std::set<std::string>& allowed, const char* fallback) {
    std::string s = str(key, fallback);
    if (!allowed.count(s)) {
      std::string list;
      for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(line(key), "'" + key + "' must be one of " + list + ", got '" + s + "'");
    }
    return s;
  }
  void reject_unknown() const {
    for (const auto& [key, v] : values_)
      if (!used_.count(key)) fail(v.line, "unknown key '" + key + "' for this family");
  }

 private:
  // The value at key, parsed whole by `parse` and within [lo, hi]; errors
  // name the file, line and key.
  template <typename T, typename Parse>
  T ranged(const std::string& key, T lo, T hi, const T* fallback, const char* kind, Parse parse) {
    if (!has(key) && fallback) {
      used_.insert(key);
      return *fallback;
    }
    std::string s = str(key);
    char* end = nullptr;
    errno = 0;
    const T v = parse(s.c_str(), &end);
    if (errno || end == s.c_str() || *end) fail(line(key), "'" + key + "' must be " + kind + ", got '" + s + "'");
    if (v < lo || v > hi) {
      std::ostringstream os;
      os << "'" << key << "' must be in [" << lo << ", " << hi << "], got " << s;
      fail(line(key), os.str());
    }
    return v;
  }

  std::map<std::string, FlatYamlValue> values_;
  std::string origin_;
  std::set<std::string> used_;
};

const std::set<std::string> kDtypes{"float16", "bfloat16", "float32"};

ModuleFile module(Reader& r, const std::string& dir, const std::string& name) {
  ModuleFile m;
  std::string file = r.str(name + ".file");
  m.path = (!file.empty() && file[0] == '/') ? file : dir + "/" + file;
  m.line = r.line(name + ".file");
  if (r.has(name + ".dtype")) m.cuda_dtype = r.choice(name + ".dtype", kDtypes, nullptr);
  return m;
}

void check_file(const Reader& r, const std::string& path, int line, const std::string& key) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    r.fail(line, "'" + key + "' names " + path + ", which does not exist or is not a file");
}

ModelFamily parse_family(Reader& r) {
  std::string f = r.str("family");
  static const std::map<std::string, ModelFamily> kByName{
      {"sd1", ModelFamily::kSd1},   {"sd2", ModelFamily::kSd2},           {"sd2-v", ModelFamily::kSd2V},
      {"sdxl", ModelFamily::kSdxl}, {"sdxl-turbo", ModelFamily::kSdxlTurbo}, {"hpsv2", ModelFamily::kHpsv2},
      {"pickscore", ModelFamily::kPickscore}, {"aesthetic", ModelFamily::kAesthetic}};
  auto it = kByName.find(f);
  if (it == kByName.end())
    r.fail(r.line("family"), "unknown family '" + f + "' (expected one of " + kFamilies + ")");
  return it->second;
}

std::array<double, 3> triple(Reader& r, const std::string& key, std::array<double, 3> fallback) {
  if (!r.has(key)) {
    r.str(key, "");
    return fallback;
  }
  std::istringstream in(r.str(key));
  std::array<double, 3> v{};
  std::string extra;
  if (!(in >> v[0] >> v[1] >> v[2]) || (in >> extra))
    r.fail(r.line(key), "'" + key + "' must be three numbers separated by spaces");
  return v;
}

}  // namespace

const char* family_name(ModelFamily f) {
  switch (f) {
    case ModelFamily::kSd1: return "sd1";
    case ModelFamily::kSd2: return "sd2";
    case ModelFamily::kSd2V: return "sd2-v";
    case ModelFamily::kSdxl: return "sdxl";
    case ModelFamily::kSdxlTurbo: return "sdxl-turbo";
    case ModelFamily::kHpsv2: return "hpsv2";
    case ModelFamily::kPickscore: return "pickscore";
    case ModelFamily::kAesthetic: return "aesthetic";
  }
  return "?";
}

bool is_scorer(ModelFamily f) {
  return f == ModelFamily::kHpsv2 || f == ModelFamily::kPickscore || f == ModelFamily::kAesthetic;
}
bool is_diffusion(ModelFamily f) { return !is_scorer(f); }
bool is_sdxl(ModelFamily f) { return f == ModelFamily::kSdxl || f == ModelFamily::kSdxlTurbo; }

const std::vector<std::string>& scorer_family_names() {
  static const std::vector<std::string> names{family_name(ModelFamily::kHpsv2), family_name(ModelFamily::kPickscore),
                                              family_name(ModelFamily::kAesthetic)};
  return names;
}

ModelManifest parse_manifest(const std::string& text, const std::string& dir, bool check_files) {
  const std::string origin = dir + "/manifest.yaml";
  Reader r(parse_flat_yaml(text, origin), origin);
  ModelManifest m;
  m.dir = dir;
  m.path = origin;
  long long format = r.integer("format", 1, 1000);
  if (format != 1) r.fail(r.line("format"), "format " + std::to_string(format) + " is newer than this build reads (1)");
  m.family = parse_family(r);
  m.cuda_dtype = r.choice("dtype", kDtypes, "float16");

  // The aesthetic predictor ignores the text: no tokenizer (a tokenizer.*
  // key there is refused as unknown).
  const bool has_text = m.family != ModelFamily::kAesthetic;
  if (has_text) {
    std::string vocab = r.str("tokenizer.vocab");
    m.vocab = vocab[0] == '/' ? vocab : dir + "/" + vocab;
    const long long default_merges = 48894, default_context = 77;
    m.vocab_merges = static_cast<int>(r.integer("tokenizer.merges", 0, 1000000, &default_merges));
    m.pad_id = r.integer("tokenizer.pad_id", 0, 1 << 24);
    m.context_length = static_cast<int>(r.integer("tokenizer.context_length", 2, 4096, &default_context));
  }
  std::vector<std::pair<std::string, const ModuleFile*>> files;

  if (is_scorer(m.family)) {
    m.image_encoder = module(r, dir, "image_encoder");
    const long long default_size = 224;
    m.image_size = static_cast<int>(r.integer("image_encoder.image_size", 8, 4096, &default_size));
    m.embed_dim = static_cast<int>(r.integer("embed_dim", 1, 1 << 16));
    m.mean = triple(r, "preprocess.mean", m.mean);
    m.std = triple(r, "preprocess.std", m.std);
    for (double s : m.std)
      if (!(s > 0)) r.fail(r.line("preprocess.std"), "'preprocess.std' must be positive");
    files = {{"image_encoder.file", &m.image_encoder}};
    if (has_text) {
      m.text_tower = module(r, dir, "text_encoder");
      files.push_back({"text_encoder.file", &m.text_tower});
    }
    // PickScore's learned temperature as the checkpoint stores it (log of
    // the factor; 4.6052 = log 100); the bound keeps exp() finite.
    if (m.family == ModelFamily::kPickscore) m.logit_scale = r.number("logit_scale", -20, 20);
    if (m.family == ModelFamily::kAesthetic) {
      m.head = module(r, dir, "head");
      files.push_back({"head.file", &m.head});
    }
  } else {
    m.text_encoder = module(r, dir, "text_encoder");
    m.hidden_size = static_cast<int>(r.integer("text_encoder.hidden_size", 1, 1 << 16));
    if (is_sdxl(m.family)) {
      m.text_encoder_2 = module(r, dir, "text_encoder_2");
      m.hidden_size_2 = static_cast<int>(r.integer("text_encoder_2.hidden_size", 1, 1 << 16));
      m.pooled_size = static_cast<int>(r.integer("text_encoder_2.pooled_size", 1, 1 << 16));
      const long long zero = 0;
      m.pad_id_2 = r.integer("text_encoder_2.pad_id", 0, 1 << 24, &zero);
      files.push_back({"text_encoder_2.file", &m.text_encoder_2});
    }
    m.unet = module(r, dir, "unet");
    const long long four = 4, eight = 8;
    m.latent_channels = static_cast<int>(r.integer("unet.latent_channels", 1, 64, &four));
    m.vae_decoder = module(r, dir, "vae_decoder");
    m.latent_scale = r.number("vae_decoder.latent_scale", 1e-6, 1e6);
    m.vae_scale_factor = static_cast<int>(r.integer("vae_decoder.scale_factor", 1, 64, &eight));
    files.push_back({"text_encoder.file", &m.text_encoder});
    files.push_back({"unet.file", &m.unet});
    files.push_back({"vae_decoder.file", &m.vae_decoder});

    SchedulerConfig& s = m.scheduler;
    const char* default_prediction = m.family == ModelFamily::kSd2V ? "v_prediction" : "epsilon";
    s.prediction = r.choice("scheduler.prediction", {"epsilon", "v_prediction"}, default_prediction);
    if (m.family == ModelFamily::kSd2V && s.prediction != "v_prediction")
      r.fail(r.line("scheduler.prediction"), "family sd2-v expects scheduler.prediction v_prediction");
    const long long t1000 = 1000, one = 1;
    s.train_timesteps = static_cast<int>(r.integer("scheduler.train_timesteps", 2, 100000, &t1000));
    const double b0 = 0.00085, b1 = 0.012;
    s.beta_start = r.number("scheduler.beta_start", 1e-9, 0.5, &b0);
    s.beta_end = r.number("scheduler.beta_end", 1e-9, 0.999, &b1);
    s.beta_schedule = r.choice("scheduler.beta_schedule", {"scaled_linear", "linear"}, "scaled_linear");
    s.steps_offset = static_cast<int>(r.integer("scheduler.steps_offset", 0, s.train_timesteps - 1, &one));
    const char* default_spacing = m.family == ModelFamily::kSdxlTurbo ? "trailing" : "";
    if (r.has("scheduler.timestep_spacing") || *default_spacing)
      s.timestep_spacing = r.choice("scheduler.timestep_spacing", {"leading", "linspace", "trailing"}, default_spacing);
    s.set_alpha_to_one = r.boolean("scheduler.set_alpha_to_one", false);
    try {
      validate(s);
    } catch (const std::invalid_argument& e) {
      r.fail(r.line("scheduler.beta_start"), std::string("scheduler: ") + e.what());
    }
    long long size_default = m.family == ModelFamily::kSd2V ? 768 : m.family == ModelFamily::kSdxl ? 1024 : 512;
    m.default_size = static_cast<int>(r.integer("defaults.size", 8, 8192, &size_default));
    m.zero_uncond_for_empty_negative =
        r.boolean("conditioning.zero_uncond_for_empty_negative", is_sdxl(m.family));
  }
  r.reject_unknown();

  if (check_files) {
    if (has_text) check_file(r, m.vocab, r.line("tokenizer.vocab"), "tokenizer.vocab");
    for (const auto& [key, f] : files) check_file(r, f->path, f->line, key);
  }
  return m;
}

ModelManifest load_manifest(const std::string& dir) {
  std::string path = dir + "/manifest.yaml";
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw std::runtime_error("model folder " + dir + " does not exist or is not a folder");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read (a model folder holds manifest.yaml; see docs/models.md)");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_manifest(text.str(), dir, true);
}

}  // namespace bigpe::models
