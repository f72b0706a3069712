#pragma once
// A small stand-in for GoogleTest, used only by the models-only build
// (-DBIGPE_MODELS_ONLY=ON, scripts/gpu-check) on machines that have a
// compiler, CMake, CUDA, PyTorch and zlib but no GoogleTest. It covers what
// tests/models/*_test.cpp use: TEST, TEST_F, EXPECT_/ASSERT_ {TRUE, FALSE,
// EQ, NE, LT, LE, GT, GE, NEAR, THROW, NO_THROW}, GTEST_SKIP, FAIL,
// ADD_FAILURE, streamed messages. main() runs every test (or those whose
// "Suite.Name" contains argv[1]) and exits non-zero on any failure.
//
// Thread-safety: none; tests run one after another on the main thread.
#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace testing {

class Test {
 public:
  virtual ~Test() = default;
  virtual void SetUp() {}
  virtual void TearDown() {}
  virtual void TestBody() = 0;
  static void SetUpTestSuite() {}
  static void TearDownTestSuite() {}
};

class Message {
 public:
  template <class T>
  Message& operator<<(const T& v) {
    out_ << v;
    return *this;
  }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

namespace internal {

struct State {
  bool failed = false;
  bool skipped = false;
};
inline State& state() {
  static State s;
  return s;
}

struct Registration {
  std::string name;
  std::function<Test*()> make;
};
inline std::vector<Registration>& registry() {
  static std::vector<Registration> r;
  return r;
}
inline bool add(const std::string& name, std::function<Test*()> make) {
  registry().push_back({name, std::move(make)});
  return true;
}

template <class T>
auto print(std::ostream& os, const T& v, int) -> decltype(os << v, void()) {
  os << v;
}
template <class T>
void print(std::ostream& os, const std::vector<T>& v, int) {
  os << "{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) os << ", ";
    print(os, v[i], 0);
  }
  os << "}";
}
template <class T>
void print(std::ostream& os, const T&, long) {
  os << "<value>";
}
template <class T>
std::string show(const T& v) {
  std::ostringstream os;
  print(os, v, 0);
  return os.str();
}

struct Result {
  bool ok;
  std::string message;
  explicit operator bool() const { return ok; }
};

template <class A, class B, class Op>
Result compare(const char* a_text, const char* b_text, const char* op_text, const A& a, const B& b, Op op) {
  if (op(a, b)) return {true, {}};
  return {false, std::string("expected ") + a_text + " " + op_text + " " + b_text + "\n  " + a_text +
                     " = " + show(a) + "\n  " + b_text + " = " + show(b)};
}

inline Result near(const char* a_text, const char* b_text, double a, double b, double tol) {
  if (std::fabs(a - b) <= tol) return {true, {}};
  std::ostringstream os;
  os << "expected |" << a_text << " - " << b_text << "| <= " << tol << "\n  " << a_text << " = " << a
     << "\n  " << b_text << " = " << b;
  return {false, os.str()};
}

class Reporter {
 public:
  Reporter(const char* file, int line, std::string message, bool skip = false)
      : file_(file), line_(line), message_(std::move(message)), skip_(skip) {}
  void operator=(const Message& extra) const {
    if (skip_) {
      state().skipped = true;
      std::cout << "  skipped: " << extra.str() << "\n";
      return;
    }
    state().failed = true;
    std::cout << file_ << ":" << line_ << ": failure\n  " << message_ << "\n  " << extra.str() << "\n";
  }

 private:
  const char* file_;
  int line_;
  std::string message_;
  bool skip_;
};

}  // namespace internal
}  // namespace testing

#define MINI_GTEST_CLASS_(suite, name) suite##_##name##_Test
#define TEST_F(fixture, name)                                                                     \
  class MINI_GTEST_CLASS_(fixture, name) : public fixture {                                       \
   public:                                                                                        \
    void TestBody() override;                                                                     \
  };                                                                                              \
  static bool mini_gtest_reg_##fixture##_##name = ::testing::internal::add(                        \
      #fixture "." #name, [] { return static_cast<::testing::Test*>(new MINI_GTEST_CLASS_(fixture, name)); }); \
  void MINI_GTEST_CLASS_(fixture, name)::TestBody()
#define TEST(suite, name)                                                                         \
  class MINI_GTEST_CLASS_(suite, name) : public ::testing::Test {                                 \
   public:                                                                                        \
    void TestBody() override;                                                                     \
  };                                                                                              \
  static bool mini_gtest_reg_##suite##_##name = ::testing::internal::add(                          \
      #suite "." #name, [] { return static_cast<::testing::Test*>(new MINI_GTEST_CLASS_(suite, name)); }); \
  void MINI_GTEST_CLASS_(suite, name)::TestBody()

#define MINI_GTEST_CHECK_(result, fatal_return)                                          \
  if (const ::testing::internal::Result mini_r_ = (result)) {                           \
  } else                                                                                 \
    fatal_return ::testing::internal::Reporter(__FILE__, __LINE__, mini_r_.message) = ::testing::Message()

#define MINI_GTEST_BOOL_(cond, want, text) \
  ::testing::internal::Result { static_cast<bool>(cond) == want, std::string("expected ") + text }
#define MINI_GTEST_CMP_(a, b, op) \
  ::testing::internal::compare(#a, #b, #op, a, b, [](const auto& x, const auto& y) { return x op y; })

#define EXPECT_TRUE(c) MINI_GTEST_CHECK_(MINI_GTEST_BOOL_(c, true, #c " to be true"), )
#define EXPECT_FALSE(c) MINI_GTEST_CHECK_(MINI_GTEST_BOOL_(c, false, #c " to be false"), )
#define ASSERT_TRUE(c) MINI_GTEST_CHECK_(MINI_GTEST_BOOL_(c, true, #c " to be true"), return)
#define ASSERT_FALSE(c) MINI_GTEST_CHECK_(MINI_GTEST_BOOL_(c, false, #c " to be false"), return)
#define EXPECT_EQ(a, b) MINI_GTEST_CHECK_(MINI_GTEST_CMP_(a, b, ==), )
#define EXPECT_NE(a, b) MINI_GTEST_CHECK_(MINI_GTEST_CMP_(a, b, !=), )
#define EXPECT_LT(a, b) MINI_GTEST_CHECK_(MINI_GTEST_CMP_(a, b, <), )
#define EXPECT_LE(a, b) MINI_GTEST_CHECK_(MINI_GTEST_CMP_(a, b, <=), )
#define EXPECT_GT(a, b) MINI_GTEST_CHECK_(MINI_GTEST_CMP_(a, b, >), )
#define EXPECT_GE(a, b) MINI_GTEST_CHECK_(MINI_GTEST_CMP_(a, b, >=), )
#define ASSERT_EQ(a, b) MINI_GTEST_CHECK_(MINI_GTEST_CMP_(a, b, ==), return)
#define ASSERT_NE(a, b) MINI_GTEST_CHECK_(MINI_GTEST_CMP_(a, b, !=), return)
#define ASSERT_LT(a, b) MINI_GTEST_CHECK_(MINI_GTEST_CMP_(a, b, <), return)
#define ASSERT_LE(a, b) MINI_GTEST_CHECK_(MINI_GTEST_CMP_(a, b, <=), return)
#define ASSERT_GT(a, b) MINI_GTEST_CHECK_(MINI_GTEST_CMP_(a, b, >), return)
#define ASSERT_GE(a, b) MINI_GTEST_CHECK_(MINI_GTEST_CMP_(a, b, >=), return)
#define EXPECT_NEAR(a, b, tol) MINI_GTEST_CHECK_(::testing::internal::near(#a, #b, a, b, tol), )
#define ASSERT_NEAR(a, b, tol) MINI_GTEST_CHECK_(::testing::internal::near(#a, #b, a, b, tol), return)
#define EXPECT_DOUBLE_EQ(a, b) EXPECT_NEAR(a, b, 4 * 2.2e-16 * std::fabs(double(a)))

#define MINI_GTEST_THROW_(stmt, type, fatal_return)                                    \
  MINI_GTEST_CHECK_(([&]() -> ::testing::internal::Result {                             \
                      try {                                                             \
                        stmt;                                                           \
                      } catch (const type&) {                                           \
                        return {true, {}};                                              \
                      } catch (...) {                                                   \
                        return {false, "expected " #stmt " to throw " #type ", it threw another type"}; \
                      }                                                                 \
                      return {false, "expected " #stmt " to throw " #type ", it did not throw"}; \
                    }()),                                                               \
                    fatal_return)
#define EXPECT_THROW(stmt, type) MINI_GTEST_THROW_(stmt, type, )
#define ASSERT_THROW(stmt, type) MINI_GTEST_THROW_(stmt, type, return)
#define MINI_GTEST_NO_THROW_(stmt, fatal_return)                                   \
  MINI_GTEST_CHECK_(([&]() -> ::testing::internal::Result {                         \
                      try {                                                         \
                        stmt;                                                       \
                      } catch (const std::exception& e) {                           \
                        return {false, std::string("unexpected exception: ") + e.what()}; \
                      } catch (...) {                                               \
                        return {false, "unexpected exception"};                     \
                      }                                                             \
                      return {true, {}};                                            \
                    }()),                                                           \
                    fatal_return)
#define EXPECT_NO_THROW(stmt) MINI_GTEST_NO_THROW_(stmt, )
#define ASSERT_NO_THROW(stmt) MINI_GTEST_NO_THROW_(stmt, return)

#define ADD_FAILURE() ::testing::internal::Reporter(__FILE__, __LINE__, "failure") = ::testing::Message()
#define FAIL() return ADD_FAILURE()
#define SUCCEED() static_cast<void>(0)
#define GTEST_SKIP() return ::testing::internal::Reporter(__FILE__, __LINE__, "", true) = ::testing::Message()
