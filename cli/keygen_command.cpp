// `bigpe keygen --out DIR NAME`: writes a CURVE key pair for a broker,
// scheduler or worker: DIR/NAME.key (secret, mode 0600: stays on that
// machine) and DIR/NAME.pub (public: give it to the broker's --allow-client
// or --allow-worker, or, for the broker's own pair, to its peers).
#include <iostream>

#include "broker/curve_keys.h"
#include "cli/commands.h"

namespace bigpe::cli {

void register_keygen_command(CLI::App& app) {
  auto dir = std::make_shared<std::string>(".");
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("keygen", "Write a CURVE key pair (NAME.key secret, NAME.pub public)");
  cmd->add_option("--out", *dir, "Folder for the key files")->capture_default_str();
  cmd->add_option("name", *name, "Key name, e.g. broker, scheduler, gpu0")->required();
  cmd->callback([dir, name] {
    try {
      broker::CurveKeyPair pair = broker::write_curve_keypair(*dir, *name);
      std::cout << "wrote " << *dir << "/" << *name << ".key (secret) and " << *dir << "/" << *name
                << ".pub (public)\npublic key: " << pair.public_key << "\n";
    } catch (const std::exception& e) {
      std::cerr << "bigpe keygen: " << e.what() << "\n";
      throw CommandExit{1};
    }
  });
}

}  // namespace bigpe::cli
