#include "broker/curve_keys.h"

#include <sys/stat.h>
#include <zmq.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <optional>
#include <stdexcept>

#include "common/file_io.h"

namespace bigpe::broker {
namespace {

namespace fs = std::filesystem;

bool is_z85_key(const std::string& text) {
  if (text.size() != 40) return false;
  uint8_t raw[32];
  return zmq_z85_decode(raw, text.c_str()) != nullptr;
}

void write_new_file(const std::string& path, const std::string& text, mode_t mode) {
  if (fs::exists(path)) throw std::runtime_error(path + " exists; not overwriting a key");
  {
    std::ofstream out(path);
    out << text << "\n";
    if (!out) throw std::runtime_error("cannot write " + path);
  }
  if (::chmod(path.c_str(), mode) != 0) throw std::runtime_error("cannot set the mode of " + path);
}

}  // namespace

CurveKeyPair generate_curve_keypair() {
  if (!zmq_has("curve")) throw std::runtime_error("this libzmq was built without CURVE support");
  char pub[41], sec[41];
  if (zmq_curve_keypair(pub, sec) != 0) throw std::runtime_error("zmq_curve_keypair failed");
  return {pub, sec};
}

std::string curve_public_of(const std::string& secret_z85) {
  if (!is_z85_key(secret_z85)) throw std::invalid_argument("not a Z85 CURVE key (40 characters expected)");
  char pub[41];
  if (zmq_curve_public(pub, secret_z85.c_str()) != 0) throw std::invalid_argument("zmq_curve_public failed");
  return pub;
}

CurveKeyPair write_curve_keypair(const std::string& dir, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos)
    throw std::runtime_error("key NAME must be a plain file name, got '" + name + "'");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir + ": " + ec.message());
  CurveKeyPair pair = generate_curve_keypair();
  const std::string base = (fs::path(dir) / name).string();
  // The secret first, so that a failure never leaves a public key whose
  // secret is lost.
  write_new_file(base + ".key", pair.secret_key, 0600);
  write_new_file(base + ".pub", pair.public_key, 0644);
  return pair;
}

std::string read_curve_key(const std::string& path) {
  std::optional<std::string> read = try_read_file(path);
  if (!read) throw std::runtime_error("CURVE key file " + path + ": cannot read it");
  std::string text = std::move(*read);
  std::size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  text = text.substr(b, e - b);
  if (!is_z85_key(text))
    throw std::runtime_error("CURVE key file " + path + ": not a Z85 key (40 characters expected)");
  return text;
}

std::set<std::string> read_curve_public_keys(const std::vector<std::string>& paths) {
  std::set<std::string> keys;
  for (const std::string& p : paths) {
    if (fs::is_directory(p)) {
      for (const auto& entry : fs::directory_iterator(p))
        if (entry.path().extension() == ".pub") keys.insert(read_curve_key(entry.path().string()));
    } else {
      keys.insert(read_curve_key(p));
    }
  }
  return keys;
}

CurveClientKeys load_curve_client_keys(const std::string& secret_key_file,
                                       const std::string& server_public_file) {
  CurveClientKeys k;
  if (secret_key_file.empty() && server_public_file.empty()) return k;
  if (secret_key_file.empty() || server_public_file.empty())
    throw std::runtime_error("CURVE needs both our secret key file and the broker's public key file");
  k.secret_key = read_curve_key(secret_key_file);
  k.public_key = curve_public_of(k.secret_key);
  k.server_public = read_curve_key(server_public_file);
  return k;
}

}  // namespace bigpe::broker
