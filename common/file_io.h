// Whole-file writes and reads, shared by every folder that stores a small
// file (run.json, campaign.json, live.json, configs).
//
// write_file_atomic writes to "<path>.tmp" and renames it over path, so a
// reader or a crash never sees half a file. It flushes the stream but does
// not fsync: none of the copies it replaces did, and this is a refactor.
// Thread-safety: stateless; two writers of the same path at once race on
// the shared ".tmp" name, as before.
#pragma once

#include <optional>
#include <string>

namespace bigpe {

// Throws std::runtime_error naming the file on any failure.
void write_file_atomic(const std::string& path, const std::string& bytes);

// The whole file; throws std::runtime_error naming path when it cannot be
// opened or read.
std::string read_file(const std::string& path);

// The whole file, or nullopt when it cannot be opened (callers that give
// their own "missing" message); still throws, naming path, on a read error.
std::optional<std::string> try_read_file(const std::string& path);

}  // namespace bigpe
