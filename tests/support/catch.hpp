// The one Catch2 include of every test: Debian 12 ships Catch2 v2 (a single
// header), Debian 13 and Ubuntu 24.04 ship v3 (a compiled library, one header
// per part). Tests are written with the v3 names; on v2 this header gives them
// the same names. CMake defines BB_CATCH2_MAJOR with the version it found.
#pragma once

#ifndef BB_CATCH2_MAJOR
#if __has_include(<catch2/catch_test_macros.hpp>)
#define BB_CATCH2_MAJOR 3
#else
#define BB_CATCH2_MAJOR 2
#endif
#endif

#if BB_CATCH2_MAJOR >= 3
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#else
#include <catch2/catch.hpp>
#include <string>
namespace Catch {
using Detail::Approx;
namespace Matchers {
// v3's name for v2's Contains (v3 keeps Contains for ranges).
inline StdString::ContainsMatcher ContainsSubstring(const std::string& text,
                                                    CaseSensitive::Choice cs = CaseSensitive::Yes)
{
    return Contains(text, cs);
}
}  // namespace Matchers
}  // namespace Catch
#endif

using Catch::Approx;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::StartsWith;
