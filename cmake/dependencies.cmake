# Every third-party dependency, found once. All come from Debian 12 packages
# (scripts/install-deps.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(tl-expected REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(RapidJSON REQUIRED)
find_package(date REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(yaml-cpp REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(OATH REQUIRED IMPORTED_TARGET liboath)
find_package(Threads REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
# Boost.Asio and Boost.Beast (header-only in 1.74) for network inputs and HTTPS.
find_package(Boost 1.74 REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(RELP REQUIRED IMPORTED_TARGET relp)
add_library(ca_boost_net INTERFACE)
target_link_libraries(ca_boost_net INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(ca_boost_net INTERFACE BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)

# RapidJSON 1.1 headers trip GCC 12 warnings; mark them as system headers.
add_library(ca_rapidjson INTERFACE)
target_include_directories(ca_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
target_compile_definitions(ca_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)
# Not RAPIDJSON_SSE2: in RapidJSON 1.1.0 its string scanner lets control bytes through
# unescaped (a fuzzer found it); plain strings take our pre-quoted path anyway.

if(CA_BUILD_TESTS)
    find_package(GTest REQUIRED)
    include(GoogleTest)
endif()
if(CA_BUILD_BENCH AND NOT CA_FUZZ)
    find_package(benchmark REQUIRED)
endif()
