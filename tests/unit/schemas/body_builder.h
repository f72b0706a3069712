#pragma once
// Helpers for schema tests: a body map built by hand (so that a test can
// omit, mistype or add fields) and the check that decoding is refused with
// a DecodeError naming the message and the field.
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <msgpack.hpp>

#include "schemas/decode_error.h"
#include "schemas/protocol.h"

namespace bigpe::schemas::test_bodies {

// Builds a body map by hand, so tests can omit, mistype or add fields.
class Body {
 public:
  Body& v(int version = kSchemaVersion) { return field("v", version); }
  template <typename T>
  Body& field(const std::string& key, const T& value) {
    writes_.push_back([key, value](msgpack::packer<msgpack::sbuffer>& pk) {
      pk.pack(key);
      pk.pack(value);
    });
    return *this;
  }
  Body& bin(const std::string& key, const std::string& value) {
    writes_.push_back([key, value](msgpack::packer<msgpack::sbuffer>& pk) {
      pk.pack(key);
      pk.pack_bin(static_cast<uint32_t>(value.size()));
      pk.pack_bin_body(value.data(), static_cast<uint32_t>(value.size()));
    });
    return *this;
  }
  Body& raw(const std::string& key, std::function<void(msgpack::packer<msgpack::sbuffer>&)> value) {
    writes_.push_back([key, value](msgpack::packer<msgpack::sbuffer>& pk) {
      pk.pack(key);
      value(pk);
    });
    return *this;
  }
  std::string bytes() const {
    msgpack::sbuffer buf;
    msgpack::packer<msgpack::sbuffer> pk(buf);
    pk.pack_map(static_cast<uint32_t>(writes_.size()));
    for (const auto& w : writes_) w(pk);
    return std::string(buf.data(), buf.size());
  }

 private:
  std::vector<std::function<void(msgpack::packer<msgpack::sbuffer>&)>> writes_;
};

// Asserts that decoding throws a DecodeError for `message` and `field`.
template <typename F>
void expect_error(F decode, const std::string& message, const std::string& field) {
  try {
    decode();
    ADD_FAILURE() << "expected DecodeError for " << message << "." << field;
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.message_name(), message) << e.what();
    EXPECT_EQ(e.field(), field) << e.what();
    if (!field.empty()) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  }
}

}  // namespace bigpe::schemas::test_bodies
