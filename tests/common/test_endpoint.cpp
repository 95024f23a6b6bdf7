#include "catch.hpp"
#include <cstdlib>

#include "common/endpoint.hpp"
#include "common/program.hpp"
#include "endpoints.hpp"

using common::transport;

TEST_CASE("transport names parse both ways", "[endpoint]")
{
    for (auto t : {transport::tcp, transport::ipc, transport::inproc})
        CHECK(common::parse_transport(common::to_string(t)) == t);
    CHECK_FALSE(common::parse_transport("udp"));
    CHECK_FALSE(common::parse_transport(""));
}

TEST_CASE("a service's endpoints follow the transport", "[endpoint]")
{
    SECTION("tcp binds every interface, connects to loopback, same port")
    {
        const auto ep = common::endpoints_for("ticker", transport::tcp);
        CHECK(ep.bind == "tcp://*:5556");
        CHECK(ep.connect == "tcp://127.0.0.1:5556");
    }
    SECTION("ipc and inproc use one name for both sides")
    {
        const auto ipc = common::endpoints_for("ticker", transport::ipc);
        CHECK(ipc.bind == "ipc://" + common::ipc_folder() + "/ticker");
        CHECK(ipc.connect == ipc.bind);
        const auto inproc = common::endpoints_for("ticker-proxy", transport::inproc);
        CHECK(inproc.bind == "inproc://ticker-proxy");
        CHECK(inproc.connect == inproc.bind);
    }
    SECTION("services do not share ports")
    {
        CHECK(common::default_port("ticker") != common::default_port("ticker-proxy"));
        CHECK_THROWS_AS(common::default_port("no-such-service"), std::out_of_range);
    }
}

TEST_CASE("BB_PORT_OFFSET and BB_IPC_DIR move the default endpoints", "[endpoint]")
{
    ::setenv("BB_PORT_OFFSET", "1000", 1);
    ::setenv("BB_IPC_DIR", "/tmp/elsewhere", 1);
    CHECK(common::endpoints_for("ticker", transport::tcp).connect == "tcp://127.0.0.1:6556");
    CHECK(common::endpoints_for("ticker", transport::ipc).bind == "ipc:///tmp/elsewhere/ticker");
    ::setenv("BB_PORT_OFFSET", "lots", 1);
    CHECK_THROWS_WITH(common::default_port("ticker"), ContainsSubstring("BB_PORT_OFFSET"));
    ::unsetenv("BB_PORT_OFFSET");
    ::unsetenv("BB_IPC_DIR");
    CHECK(common::default_port("ticker") == 5556);
}

TEST_CASE("bind reports the endpoint actually bound", "[endpoint]")
{
    auto ctx = common::make_context();
    zmq::socket_t s(ctx, zmq::socket_type::pub);

    SECTION("a tcp wildcard port is resolved")
    {
        const auto ep = common::bind(s, support::any_tcp);
        CHECK(ep.starts_with("tcp://127.0.0.1:"));
        CHECK(ep != "tcp://127.0.0.1:*");
    }
    SECTION("an ipc folder is created first")
    {
        support::private_dir dir;
        const auto ep = "ipc://" + (dir.path() / "not" / "yet" / "there").string();
        CHECK(common::bind(s, ep) == ep);
    }
    SECTION("a taken address is a clear runtime error")
    {
        const auto ep = common::bind(s, support::any_tcp);
        zmq::socket_t other(ctx, zmq::socket_type::pub);
        CHECK_THROWS_WITH(common::bind(other, ep), ContainsSubstring("cannot bind") && ContainsSubstring("in use"));
    }
    SECTION("a bad endpoint names itself")
    {
        CHECK_THROWS_WITH(common::bind(s, "tcp://nonsense"), ContainsSubstring("tcp://nonsense"));
        CHECK_THROWS_WITH(common::connect(s, "bogus://x"), ContainsSubstring("bogus://x"));
    }
}
