// Catch2 2's <catch2/catch.hpp> on Catch2 3 (Debian 13): the tests are written
// against Catch2 2 (Debian 12) and include this header; the root CMakeLists.txt
// puts this directory on the include path only when it finds Catch2 3. It maps
// the names Catch2 3 moved or renamed; everything else is the same in both.
#pragma once

#include <catch2/catch_all.hpp>

#include <string>

namespace Catch {
// Catch2 2 exported its matchers into namespace Catch; Catch2 3 keeps them in
// Catch::Matchers, and renamed the substring matcher.
inline Matchers::StringContainsMatcher Contains(const std::string& substring,
                                                CaseSensitive cs = CaseSensitive::Yes) {
  return Matchers::ContainsSubstring(substring, cs);
}
using Matchers::EndsWith;
using Matchers::StartsWith;
}  // namespace Catch

// Catch2 2 had Approx in the global namespace.
using Catch::Approx;
