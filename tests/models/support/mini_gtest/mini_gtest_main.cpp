// main() for the GoogleTest stand-in (gtest/gtest.h beside this file).
#include <gtest/gtest.h>

int main(int argc, char** argv) {
  std::string filter = argc > 1 ? argv[1] : "";
  int failed = 0, passed = 0, skipped = 0;
  for (const auto& reg : ::testing::internal::registry()) {
    if (!filter.empty() && reg.name.find(filter) == std::string::npos) continue;
    auto& st = ::testing::internal::state();
    st = {};
    std::cout << "[ RUN      ] " << reg.name << std::endl;
    std::unique_ptr<::testing::Test> test;
    try {
      test.reset(reg.make());
      test->SetUp();
      if (!st.failed && !st.skipped) test->TestBody();
      test->TearDown();
    } catch (const std::exception& e) {
      st.failed = true;
      std::cout << "  uncaught exception: " << e.what() << "\n";
    } catch (...) {
      st.failed = true;
      std::cout << "  uncaught exception\n";
    }
    const char* verdict = st.failed ? "[  FAILED  ] " : st.skipped ? "[  SKIPPED ] " : "[       OK ] ";
    std::cout << verdict << reg.name << std::endl;
    (st.failed ? failed : st.skipped ? skipped : passed)++;
  }
  std::cout << passed << " passed, " << skipped << " skipped, " << failed << " failed\n";
  return failed ? 1 : 0;
}
