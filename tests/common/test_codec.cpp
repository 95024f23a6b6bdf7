#include "catch.hpp"
#include <limits>

#include "common/codec.hpp"

TEST_CASE("fixed-width fields round-trip in little-endian order", "[codec]")
{
    auto frame = common::frame_writer(8 + 4 + 8 + 2)
                     .put(std::uint64_t{0x0102030405060708})
                     .put(std::int32_t{-5})
                     .put(3.25)
                     .put(std::uint16_t{513})
                     .done();
    REQUIRE(frame.size() == 22);
    const auto* bytes = static_cast<const unsigned char*>(frame.data());
    CHECK(bytes[0] == 0x08);  // least significant byte first
    CHECK(bytes[7] == 0x01);

    common::frame_reader r(frame);
    CHECK(r.get<std::uint64_t>() == 0x0102030405060708);
    CHECK(r.get<std::int32_t>() == -5);
    CHECK(r.get<double>() == 3.25);
    CHECK(r.get<std::uint16_t>() == 513);
}

TEST_CASE("reading past the end of a frame gives zeros, never a crash", "[codec]")
{
    zmq::message_t tiny(3);
    common::frame_reader r(tiny);
    CHECK(r.get<std::uint64_t>() == 0);
}

TEST_CASE("frame count and size checks say what is wrong", "[codec]")
{
    std::vector<zmq::message_t> msg(3);
    auto count = common::expect_frames(msg, 2);
    REQUIRE_FALSE(count);
    CHECK(count.error() == "expected 2 frames, got 3");
    CHECK(common::expect_frames(msg, 3));

    auto size = common::expect_size(msg[0], 8, "quote");
    REQUIRE_FALSE(size);
    CHECK(size.error() == "quote frame must be 8 bytes, got 0");
}

TEST_CASE("text frames must be non-empty, bounded, UTF-8 without NUL", "[codec]")
{
    CHECK(*common::text_frame(zmq::message_t(std::string("AAPL")), 16, "symbol") == "AAPL");
    CHECK(common::text_frame(zmq::message_t(std::string("Zürich")), 16, "symbol"));
    CHECK(common::text_frame(zmq::message_t(), 16, "symbol").error() == "symbol is empty");
    CHECK(common::text_frame(zmq::message_t(std::string(17, 'A')), 16, "symbol").error() ==
          "symbol is longer than 16 bytes");
    CHECK(common::text_frame(zmq::message_t(std::string("A\0B", 3)), 16, "symbol").error() ==
          "symbol contains a NUL byte");
    CHECK(common::text_frame(zmq::message_t(std::string("A\xFF")), 16, "symbol").error() ==
          "symbol is not valid UTF-8");
}

TEST_CASE("UTF-8 validation rejects every kind of malformed sequence", "[codec]")
{
    CHECK(common::valid_utf8(""));
    CHECK(common::valid_utf8("plain ascii"));
    CHECK(common::valid_utf8("\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\x88"));  // été € 📈
    CHECK_FALSE(common::valid_utf8("\x80"));              // stray continuation byte
    CHECK_FALSE(common::valid_utf8("\xC3"));              // truncated
    CHECK_FALSE(common::valid_utf8("\xC3\x28"));          // bad continuation
    CHECK_FALSE(common::valid_utf8("\xC0\xAF"));          // overlong '/'
    CHECK_FALSE(common::valid_utf8("\xED\xA0\x80"));      // surrogate
    CHECK_FALSE(common::valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
    CHECK_FALSE(common::valid_utf8("\xFE"));
}

TEST_CASE("numbers parse strictly: the whole text or nothing", "[codec]")
{
    CHECK(*common::parse_int("42") == 42);
    CHECK(*common::parse_int("-7") == -7);
    CHECK_FALSE(common::parse_int("42x"));
    CHECK_FALSE(common::parse_int(" 42"));
    CHECK_FALSE(common::parse_int(""));
    CHECK_FALSE(common::parse_int("99999999999999999999"));
    CHECK(common::parse_int("4x").error() == "'4x' is not a whole number");

    CHECK(*common::parse_double("189.25") == 189.25);
    CHECK(*common::parse_double("1e3") == 1000.0);
    CHECK_FALSE(common::parse_double("nan"));
    CHECK_FALSE(common::parse_double("inf"));
    CHECK_FALSE(common::parse_double("1.5.2"));
}

TEST_CASE("bytes become printable text for log lines", "[codec]")
{
    CHECK(common::printable("AB\x01") == "AB\\x01");
    CHECK(common::printable("back\\slash") == "back\\x5Cslash");
    CHECK(common::printable(std::string(50, 'x'), 4) == "xxxx...");
}
