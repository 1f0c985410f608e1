# Fuzz targets of the central server's API (src/server/api): the decoders of query strings,
# path segments and JSON bodies.
if(TARGET ca_server_api)
    ca_fuzzer(fuzz_api_decode api_decode_fuzzer.cpp api_decode)
    target_link_libraries(fuzz_api_decode PRIVATE ca_server_api nlohmann_json::nlohmann_json)
endif()
