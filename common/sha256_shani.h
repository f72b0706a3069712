#pragma once
// SHA-256 on the x86 SHA extensions (SHA-NI), for CPUs that have them.
// Every sim render and score hashes its prompt (sim-v1 defines its noise
// by SHA-256) and every render spec is hashed for its cache key, so on a
// zero-cost sim task the portable SHA-256 was a third of the worker's CPU.
// bigpe::sha256 (content_hash.h) uses this when it can, libsodium else.
//
// Thread-safety: both functions are safe to call from any thread.
#include <array>
#include <cstddef>
#include <cstdint>

namespace bigpe {

// True when this CPU (and this build's target) supports SHA-NI.
bool sha_ni_available();

// The SHA-256 digest of `size` bytes at `data`. REQUIRES: sha_ni_available().
std::array<uint8_t, 32> sha256_shani(const void* data, std::size_t size);

}  // namespace bigpe
