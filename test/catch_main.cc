// The one Catch2 main shared by every unit-test executable: Catch2 2 (Debian
// 12) generates it from a macro, Catch2 3 (Debian 13) has a Session to run.
#if MAXQ_CATCH2_MAJOR >= 3
#include <catch2/catch_session.hpp>

int main(int argc, char* argv[]) {
  return Catch::Session().run(argc, argv);
}
#else
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#endif
