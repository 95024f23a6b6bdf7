#include "catch.hpp"

#include <common/throttle.hpp>

using namespace std::chrono_literals;

TEST_CASE("throttle: the first event is reported, repeats within the interval are counted", "[throttle]")
{
    common::throttle t(1s);
    const auto t0 = common::throttle::clock::time_point{} + 100s;
    REQUIRE(t.allow(t0) == std::optional<std::uint64_t>{0});
    for (int i = 0; i < 999; ++i) CHECK_FALSE(t.allow(t0 + 1ms * i).has_value());
    // The next report after the interval carries the count of suppressed ones.
    CHECK(t.allow(t0 + 1s) == std::optional<std::uint64_t>{999});
    CHECK_FALSE(t.allow(t0 + 1500ms).has_value());
    CHECK(t.allow(t0 + 3s) == std::optional<std::uint64_t>{1});
}
