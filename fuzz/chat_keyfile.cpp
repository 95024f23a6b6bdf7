// The chat's key-file reader (examples/chat/security.hpp, read_key_file): any
// file content in, a Z85 key of 40 characters or an error out. A key it
// accepts is a usable CURVE secret key, and write_keypair's files read back
// as the keys written.
#include "files.hpp"
#include "fuzz.hpp"
#include "security.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const fuzz::scratch_dir dir;
    const auto file = dir.write("some.key", {reinterpret_cast<const char*>(data), size});
    const auto key = chat::read_key_file(file);
    if (!key) return 0;
    FUZZ_CHECK(key->size() == chat::z85_key_size);
    std::uint8_t bytes[32];
    FUZZ_CHECK(zmq_z85_decode(bytes, key->c_str()) != nullptr);
    const auto pub = chat::public_key_of(*key);
    FUZZ_CHECK(pub && pub->size() == chat::z85_key_size);

    chat::write_keypair(dir.path(), "again", {*pub, *key});
    FUZZ_CHECK(*chat::read_key_file(dir.path() / "again.key") == *key);
    FUZZ_CHECK(*chat::read_key_file(dir.path() / "again.pub") == *pub);
    return 0;
}
