#include "catch.hpp"
#include <cstdlib>

#include "common/console.hpp"
#include "common/program.hpp"

namespace {

struct fixture {
    common::program prog{"test-prog", "A program under test."};
    common::role_options role;
    std::vector<std::string> bind;
    std::uint64_t count = 0;
    bool ran = false;

    fixture()
    {
        prog.add_role_options(role);
        prog.add_endpoints("-b,--bind", bind, "ticker", common::side::bind, "Where to bind");
        prog.add_count(count, "messages");
    }
    int run(std::vector<std::string> args)
    {
        std::vector<char*> argv{const_cast<char*>("test-prog")};
        for (auto& a : args) argv.push_back(a.data());
        return prog.run(static_cast<int>(argv.size()), argv.data(),
                        [&](zmq::context_t&, std::stop_token) { ran = true; });
    }
};

}  // namespace

TEST_CASE("the command line follows the project's conventions", "[program]")
{
    fixture f;
    SECTION("no options: the tcp defaults, the program's name, status 0")
    {
        CHECK(f.run({}) == 0);
        CHECK(f.ran);
        CHECK(f.bind == std::vector<std::string>{"tcp://*:5556"});
        CHECK(f.role.name == "test-prog");
    }
    SECTION("--transport picks the default endpoints")
    {
        CHECK(f.run({"--transport", "ipc"}) == 0);
        CHECK(f.bind == std::vector<std::string>{"ipc://" + common::ipc_folder() + "/ticker"});
    }
    SECTION("explicit endpoints win and repeat")
    {
        CHECK(f.run({"--bind", "tcp://*:1", "--bind", "ipc:///tmp/x", "--transport", "ipc"}) == 0);
        CHECK(f.bind == std::vector<std::string>{"tcp://*:1", "ipc:///tmp/x"});
    }
    SECTION("--help is not an error")
    {
        CHECK(f.run({"--help"}) == 0);
        CHECK_FALSE(f.ran);
    }
    SECTION("usage errors give status 2 and do not run the role")
    {
        CHECK(f.run({"--no-such-option"}) == 2);
        CHECK(f.run({"--count", "many"}) == 2);
        CHECK(f.run({"--transport", "udp"}) == 2);
        CHECK(f.run({"--transport", "inproc"}) == 2);  // one role per process
        CHECK(f.run({"extra"}) == 2);
        CHECK_FALSE(f.ran);
    }
}

TEST_CASE("a runtime error in the role gives status 1", "[program]")
{
    common::program prog("test-prog", "A program under test.");
    char name[] = "test-prog";
    char* argv[] = {name};
    CHECK(prog.run(1, argv, [](zmq::context_t&, std::stop_token) { throw std::runtime_error("boom"); }) == 1);
}

TEST_CASE("the duration option stops the role by itself", "[program]")
{
    common::program prog("test-prog", "A program under test.");
    std::vector<std::string> args{"test-prog", "--duration", "0.1"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    bool stopped = false;
    CHECK(prog.run(3, argv.data(), [&](zmq::context_t&, std::stop_token stop) {
        while (!stop.stop_requested()) std::this_thread::yield();
        stopped = true;
    }) == 0);
    CHECK(stopped);
}

TEST_CASE("colour only on a terminal and never with NO_COLOR", "[console]")
{
    // Under ctest stdout is a pipe: no colour, and paint() passes text through.
    CHECK_FALSE(common::colour_wanted(-1));
    common::console out("role");
    CHECK_FALSE(out.uses_colour());
    CHECK(out.paint("text", common::colour::red) == "text");
    ::setenv("NO_COLOR", "1", 1);
    CHECK_FALSE(common::colour_wanted(0));
    ::unsetenv("NO_COLOR");
}
