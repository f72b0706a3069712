// `bigpe tokenize --vocab PATH TEXT...`: the CLIP token ids of each text, one
// line per text (start and end tokens included, no padding), to check a
// vocabulary or compare with Python's tokenizer.
#include <iostream>

#include "models/core/clip_tokenizer.h"
#include "cli/commands.h"

namespace bigpe::cli {

void register_tokenize_command(CLI::App& app) {
  struct Args {
    std::string vocab;
    std::vector<std::string> texts;
    int context = 0;
    long long pad_id = 0;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("tokenize", "Print the CLIP BPE token ids of each text, one line per text");
  cmd->add_option("--vocab", args->vocab, "CLIP merges file (bpe_simple_vocab_16e6.txt.gz)")->required();
  cmd->add_option("--context", args->context, "Cut and pad to this many ids (77 for CLIP); 0 = no padding")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  cmd->add_option("--pad-id", args->pad_id, "Pad id with --context (0 open_clip and SD 2.x, 49407 SD 1.x)")
      ->capture_default_str();
  cmd->add_option("texts", args->texts, "Texts to tokenize")->required();
  cmd->callback([args] {
    models::ClipTokenizer tokenizer = models::ClipTokenizer::load(args->vocab);
    for (const std::string& text : args->texts) {
      std::vector<int64_t> ids;
      if (args->context >= 2) {
        ids = tokenizer.tokenize(text, args->pad_id, args->context);
      } else {
        ids.push_back(tokenizer.start_id());
        for (int id : tokenizer.encode(text)) ids.push_back(id);
        ids.push_back(tokenizer.end_id());
      }
      for (size_t i = 0; i < ids.size(); ++i) std::cout << (i ? " " : "") << ids[i];
      std::cout << "\n";
    }
  });
}

}  // namespace bigpe::cli
