#pragma once
// Reading and writing msgpack maps with named fields.
//
// MSGPACK_DEFINE_MAP keeps defaults for missing keys, so it cannot tell a
// required field from an optional one. MapReader can: required() throws a
// DecodeError naming the message and the field; unknown keys are ignored so
// newer peers can add fields without breaking older readers.
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <msgpack.hpp>

#include "schemas/decode_error.h"
#include "schemas/protocol.h"

namespace bigpe::schemas {

class MapReader {
 public:
  // REQUIRES: obj outlives the reader. Throws DecodeError if obj is no map.
  MapReader(const msgpack::object& obj, std::string message_name);

  bool has(const char* key) const { return find(key) != nullptr; }
  const msgpack::object* find(const char* key) const;
  const std::string& message_name() const { return name_; }

  template <typename T>
  T required(const char* key) const {
    const msgpack::object* o = find(key);
    if (o == nullptr || o->type == msgpack::type::NIL)
      throw DecodeError(name_, key, "missing required field");
    return convert<T>(*o, key);
  }

  template <typename T>
  T optional(const char* key, T fallback) const {
    const msgpack::object* o = find(key);
    if (o == nullptr || o->type == msgpack::type::NIL) return fallback;
    return convert<T>(*o, key);
  }

  // A nested map, for records inside messages ("SUBMIT.tasks[3]").
  MapReader nested(const msgpack::object& obj, const std::string& path) const {
    return MapReader(obj, name_ + "." + path);
  }

  // The array at key, or empty when absent and !required.
  std::vector<const msgpack::object*> array(const char* key, bool required) const;

 private:
  template <typename T>
  T convert(const msgpack::object& o, const char* key) const {
    try {
      return o.as<T>();
    } catch (const msgpack::type_error&) {
      throw DecodeError(name_, key, "wrong type");
    }
  }

  using Field = std::pair<std::string_view, const msgpack::object*>;
  const Field* fields() const { return spilled_.empty() ? inline_.data() : spilled_.data(); }

  std::string name_;
  // Keys point into the decoded body. Decoding a map runs once per task on
  // every hop and bodies have a handful of keys, so they are kept in a
  // flat list, inline; only a map with more keys goes to the heap.
  static constexpr std::size_t kInlineFields = 12;
  std::array<Field, kInlineFields> inline_{};
  std::vector<Field> spilled_;
  std::size_t count_ = 0;
};

// Writes a map whose size is known up front; key() then the value.
class MapWriter {
 public:
  MapWriter(msgpack::packer<msgpack::sbuffer>& pk, uint32_t size) : pk_(pk) { pk_.pack_map(size); }
  template <typename T>
  MapWriter& field(const char* key, const T& value) {
    this->key(key);
    pk_.pack(value);
    return *this;
  }
  MapWriter& key(const char* key) {
    const auto n = static_cast<uint32_t>(std::strlen(key));
    pk_.pack_str(n);
    pk_.pack_str_body(key, n);
    return *this;
  }
  msgpack::packer<msgpack::sbuffer>& packer() { return pk_; }

 private:
  msgpack::packer<msgpack::sbuffer>& pk_;
};

// Limits on untrusted input (frames come from the network).
struct UnpackLimits {
  std::size_t max_bytes = static_cast<std::size_t>(kMaxMessageBytes);
  std::size_t max_array = 1u << 20;
  std::size_t max_map = 1u << 16;
  std::size_t max_str = 16u << 20;
  std::size_t max_bin = 32u << 20;
  std::size_t max_depth = 32;
};

// Parses bytes into a handle; throws DecodeError naming message_name on
// malformed or oversize input. The handle's strings and bins refer into
// `bytes` (no copies): keep `bytes` alive and unchanged while using it.
msgpack::object_handle unpack_checked(const std::string& bytes, const std::string& message_name,
                                      const UnpackLimits& limits = UnpackLimits());

}  // namespace bigpe::schemas
