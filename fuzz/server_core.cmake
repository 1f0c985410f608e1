# Fuzz targets of the server's own decoders (src/server; the API's are in server.cmake).
if(TARGET ca_server)
    ca_fuzzer(fuzz_server_config server_config_fuzzer.cpp server_config)
    target_link_libraries(fuzz_server_config PRIVATE ca_server)
endif()
