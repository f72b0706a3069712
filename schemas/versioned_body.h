#pragma once
// Helpers shared by the message and record codecs: every body is a map whose
// first key is "v", and readers refuse a missing or newer major version.
#include <functional>
#include <string>

#include "schemas/msgpack_map.h"

namespace bigpe::schemas {

// Packs {"v": kSchemaVersion, ...fields}; `fields` must write exactly
// `field_count` key/value pairs.
std::string write_body(uint32_t field_count, const std::function<void(MapWriter&)>& fields);
// The same with an explicit "v", for a record whose own version moved on
// (the result record's v2, schemas/README.md section 7).
std::string write_body(int version, uint32_t field_count, const std::function<void(MapWriter&)>& fields);

// Unpacks with limits, checks "v", then hands the map to `read`. Any
// msgpack type error escaping `read` is turned into a DecodeError.
void read_body(const std::string& bytes, const std::string& message_name,
               const std::function<void(const MapReader&)>& read);
// The same accepting "v" from 1 to max_version; returns the version read.
int read_body(const std::string& bytes, const std::string& message_name, int max_version,
              const std::function<void(const MapReader&, int version)>& read);

// A bin or str field as raw bytes.
std::string read_bytes(const MapReader& r, const char* key, bool required);

}  // namespace bigpe::schemas
