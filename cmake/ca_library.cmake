# ca_library(NAME name SRCS ... DEPS ... [PRIVATE_DEPS ...])
# One static library per folder of src/, named ca_<name>, with its dependencies declared so
# the architecture can be read off the build graph (tests/arch checks it).
function(ca_library)
    cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
    set(target ca_${ARG_NAME})
    add_library(${target} STATIC ${ARG_SRCS})
    add_library(cyberalarm::${ARG_NAME} ALIAS ${target})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
    set_property(GLOBAL APPEND PROPERTY CA_LIBRARIES ${target})
    set_property(GLOBAL PROPERTY CA_DEPS_${target} ${ARG_DEPS} ${ARG_PRIVATE_DEPS})
endfunction()

# Writes <build>/ca_build_graph.txt: one line per cyberalarm library or app,
# "<target>: <cyberalarm dependency> …", read by tests/arch to check the layering.
function(ca_write_build_graph)
    set(out "")
    get_property(libs GLOBAL PROPERTY CA_LIBRARIES)
    foreach(lib IN LISTS libs ARGN)
        if(lib IN_LIST libs)
            get_property(deps GLOBAL PROPERTY CA_DEPS_${lib})
        else()
            get_target_property(deps ${lib} LINK_LIBRARIES)
        endif()
        set(ours "")
        foreach(d IN LISTS deps)
            if(d MATCHES "^ca_[a-z_]+$" AND NOT d STREQUAL "ca_rapidjson" AND NOT d STREQUAL "ca_boost_net")
                list(APPEND ours ${d})
            endif()
        endforeach()
        list(JOIN ours " " joined)
        string(APPEND out "${lib}: ${joined}\n")
    endforeach()
    file(WRITE ${PROJECT_BINARY_DIR}/ca_build_graph.txt "${out}")
endfunction()

# ca_test(NAME name SRCS ... DEPS ... LABELS ... [ONE_PROCESS])
# Each GoogleTest case becomes a ctest of its own, except with ONE_PROCESS: then the whole
# binary is one ctest, for suites whose shared set-up is expensive (a lab of real services
# started once instead of once per case).
function(ca_test)
    cmake_parse_arguments(ARG "ONE_PROCESS" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
    add_executable(${ARG_NAME} ${ARG_SRCS})
    target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} ca_test_support GTest::gtest GTest::gtest_main)
    target_compile_definitions(${ARG_NAME} PRIVATE
        CA_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
        CA_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
    if(ARG_ONE_PROCESS)
        add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
        set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}")
    else()
        gtest_discover_tests(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
    endif()
    if("unit" IN_LIST ARG_LABELS)
        set_property(GLOBAL APPEND PROPERTY CA_UNIT_TEST_TARGETS ${ARG_NAME})
    endif()
endfunction()

# A target that builds exactly what `ctest -L unit` runs (the sanitizer run in
# scripts/test.sh builds only these, not the integration and end-to-end binaries).
function(ca_add_unit_tests_target)
    get_property(targets GLOBAL PROPERTY CA_UNIT_TEST_TARGETS)
    add_custom_target(unit_tests)
    if(targets)
        add_dependencies(unit_tests ${targets})
    endif()
endfunction()
