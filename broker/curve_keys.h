#pragma once
// CURVE keys (ZeroMQ's elliptic-curve encryption and authentication,
// backed by libsodium): 32-byte keys written as 40-character Z85 text.
// `bigpe keygen --out DIR NAME` writes DIR/NAME.pub (public, shareable) and
// DIR/NAME.key (secret, mode 0600). The broker is given its own secret key
// and the public keys it accepts; clients and workers their own secret key
// and the broker's public key.
//
// Thread-safety: free functions without shared state.
#include <set>
#include <string>
#include <vector>

namespace bigpe::broker {

struct CurveKeyPair {
  std::string public_key;  // Z85, 40 characters
  std::string secret_key;  // Z85, 40 characters
};

// What a DEALER (client or worker) needs to talk to a CURVE broker.
struct CurveClientKeys {
  std::string server_public;  // the broker's public key
  std::string public_key;     // ours (derived from the secret when read from a file)
  std::string secret_key;
  bool enabled() const { return !server_public.empty(); }
};

// What the broker needs: its secret key, and the public keys allowed on
// each socket (an empty set refuses every peer on that socket).
struct CurveServerKeys {
  std::string secret_key;
  std::set<std::string> client_keys;
  std::set<std::string> worker_keys;
  bool enabled() const { return !secret_key.empty(); }
};

// Throws std::runtime_error when libzmq was built without CURVE.
CurveKeyPair generate_curve_keypair();
// The public key of a secret key. Throws std::invalid_argument on a bad key.
std::string curve_public_of(const std::string& secret_z85);

// Writes DIR/NAME.pub and DIR/NAME.key (creating DIR); refuses to overwrite
// either file. Returns the pair. Throws std::runtime_error naming the file.
CurveKeyPair write_curve_keypair(const std::string& dir, const std::string& name);

// Reads one Z85 key from a file (surrounding whitespace ignored). Throws
// std::runtime_error naming the file when it is missing or not a key.
std::string read_curve_key(const std::string& path);

// The public keys in `paths`: a file holds one key; a folder contributes
// every *.pub inside it. Throws std::runtime_error naming a bad path.
std::set<std::string> read_curve_public_keys(const std::vector<std::string>& paths);

// Client keys from the key files: our secret key file (NAME.key) and the
// broker's public key file. Both empty = CURVE off.
CurveClientKeys load_curve_client_keys(const std::string& secret_key_file,
                                       const std::string& server_public_file);

}  // namespace bigpe::broker
