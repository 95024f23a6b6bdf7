#include "cli.hpp"

#include "catch.hpp"
#include <filesystem>

#include "process.hpp"

namespace support {

std::string describe(const std::vector<std::string>& argv)
{
    std::string out;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const auto word = i == 0 ? std::filesystem::path(argv[i]).filename().string() : argv[i];
        out += (i ? " " : "") + (word.empty() || word.find(' ') != std::string::npos ? "'" + word + "'" : word);
    }
    return out;
}

void check_usage_errors(const std::vector<std::vector<std::string>>& cases)
{
    for (const auto& argv : cases) {
        const auto r = run(argv);
        INFO(describe(argv) << "\nexited with status " << r.status << " and printed:\n" << r.output);
        CHECK(r.status == 2);
        CHECK_THAT(r.output, ContainsSubstring("Run with --help"));
    }
}

void check_help(const std::vector<std::string>& programs, const std::vector<std::string>& mentions)
{
    for (const auto& prog : programs) {
        const auto r = run({prog, "--help"});
        INFO(describe({prog, "--help"}) << "\nexited with status " << r.status << " and printed:\n" << r.output);
        CHECK(r.status == 0);
        CHECK_THAT(r.output, ContainsSubstring("Usage:"));
        for (const auto& m : mentions) CHECK_THAT(r.output, ContainsSubstring(m));
    }
}

}  // namespace support
