#pragma once
// A model folder: manifest.yaml plus the TorchScript files and the
// tokenizer vocabulary it names (docs/models.md). The exporters in scripts/
// write it; the torchscript-sd renderer and the scorers (hpsv2, pickscore,
// aesthetic) read it. This
// file parses and validates the manifest without libtorch; the libtorch
// side probes each module's output shapes when it loads them.
//
// Thread-safety: reentrant; a ModelManifest is a plain value.
#include <array>
#include <string>
#include <vector>

#include "models/core/noise_schedule.h"

namespace bigpe::models {

enum class ModelFamily { kSd1, kSd2, kSd2V, kSdxl, kSdxlTurbo, kHpsv2, kPickscore, kAesthetic };

// "sd1", "sd2", "sd2-v", "sdxl", "sdxl-turbo", "hpsv2", "pickscore",
// "aesthetic".
const char* family_name(ModelFamily family);
bool is_diffusion(ModelFamily family);
bool is_sdxl(ModelFamily family);  // sdxl and sdxl-turbo: two text encoders
// hpsv2, pickscore and aesthetic: a scorer's folder, run by the scorer of
// the same name.
bool is_scorer(ModelFamily family);
// The scorer families' names, in the enum's order: hpsv2, pickscore, aesthetic.
const std::vector<std::string>& scorer_family_names();

struct ModuleFile {
  std::string path;        // absolute (folder + file from the manifest)
  std::string cuda_dtype;  // float16, bfloat16 or float32 on CUDA; "" = the manifest's dtype
  int line = 0;            // manifest line, for errors
};

struct ModelManifest {
  std::string dir;   // the model folder
  std::string path;  // dir + "/manifest.yaml"
  ModelFamily family = ModelFamily::kSd1;
  std::string cuda_dtype = "float16";  // CPU always runs float32

  // Tokenizer (every family but aesthetic, which scores the image alone).
  std::string vocab;  // absolute path of bpe_simple_vocab_16e6.txt.gz (or a tiny one)
  int vocab_merges = 48894;
  long long pad_id = 0;
  int context_length = 77;

  // Diffusion families.
  ModuleFile text_encoder;    // ids [B,L] int64 -> hidden [B,L,hidden_size]
  int hidden_size = 0;
  ModuleFile text_encoder_2;  // sdxl: ids -> (hidden [B,L,hidden_size_2], pooled [B,pooled_size])
  int hidden_size_2 = 0;
  int pooled_size = 0;
  long long pad_id_2 = 0;     // sdxl: the second tokenizer's pad id (open_clip: 0)
  ModuleFile unet;            // (x [N,C,h,w], t [N] float32, ctx [N,L,H] (, text_embeds, time_ids)) -> [N,C,h,w]
  int latent_channels = 4;
  ModuleFile vae_decoder;     // z [B,C,h,w] (already divided by latent_scale) -> image [B,3,8h,8w] in [-1,1]
  double latent_scale = 0.18215;
  int vae_scale_factor = 8;
  bool zero_uncond_for_empty_negative = false;  // SDXL's force_zeros_for_empty_prompt
  SchedulerConfig scheduler;
  int default_size = 512;

  // Scorers (hpsv2, pickscore, aesthetic).
  ModuleFile image_encoder;  // pixels [B,3,S,S] -> features [B,embed_dim]
  ModuleFile text_tower;     // hpsv2, pickscore: ids [B,77] -> features [B,embed_dim]
  int embed_dim = 0;
  int image_size = 224;
  std::array<double, 3> mean{0.48145466, 0.4578275, 0.40821073};
  std::array<double, 3> std{0.26862954, 0.26130258, 0.27577711};
  double logit_scale = 0;    // pickscore: score = exp(logit_scale) * cosine
  ModuleFile head;           // aesthetic: normalized features [B,embed_dim] -> score [B,1]
};

// Reads and validates `dir`/manifest.yaml: the family is known, every
// required key is there with a value in range, unknown keys are refused
// (they are usually typos), every named file exists. Throws
// std::runtime_error "<dir>/manifest.yaml:<line>: <what was expected>", or
// naming the missing file and the key that names it.
ModelManifest load_manifest(const std::string& dir);

// The same from manifest text (tests, fuzzing); file existence is checked
// against `dir` only when check_files.
ModelManifest parse_manifest(const std::string& text, const std::string& dir, bool check_files);

}  // namespace bigpe::models
