// scripts/demo query and query-broker, as the presenter and CI run them. The
// demos use the default endpoints; BB_PORT_OFFSET and BB_IPC_DIR move them
// away from a demo that may be running on this machine, and ctest runs these
// tests one at a time (RESOURCE_LOCK).
#include "catch.hpp"
#include <filesystem>

#include "endpoints.hpp"
#include "process.hpp"

using namespace std::chrono_literals;

TEST_CASE("scripts/demo runs the query engine, single and brokered, over tcp, ipc and inproc", "[demo]")
{
    support::use_private_default_endpoints();
    const std::string script = std::string(BB_SOURCE_DIR) + "/scripts/demo";
    const std::string bin_dir = std::filesystem::path(QUERY_SERVER).parent_path().string();
    for (const std::string transport : {"tcp", "ipc", "inproc"}) {
        for (const std::string name : {"query", "query-broker"}) {
            const auto r = support::run({"/bin/bash", script, "--bin", bin_dir, name, "--transport", transport,
                                         "--duration", "3"}, 60s);
            INFO(name << " over " << transport << ":\n" << r.output);
            CHECK(r.status == 0);
            CHECK_THAT(r.output, ContainsSubstring("[follow-AAPL] AAPL"));
            CHECK_THAT(r.output, ContainsSubstring("[watch-MSFT] watching MSFT"));
            CHECK_THAT(r.output, ContainsSubstring("[ask] TOP 3 GAINERS"));
            CHECK_THAT(r.output, ContainsSubstring("queries (") && ContainsSubstring("ticks,"));
            if (name == "query-broker") CHECK_THAT(r.output, ContainsSubstring("[worker-2]"));
        }
    }
}
