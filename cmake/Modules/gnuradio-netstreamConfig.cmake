find_package(PkgConfig)

PKG_CHECK_MODULES(PC_GR_NETSTREAM gnuradio-netstream)

FIND_PATH(
    GR_NETSTREAM_INCLUDE_DIRS
    NAMES gnuradio/netstream/api.h
    HINTS $ENV{NETSTREAM_DIR}/include
        ${PC_NETSTREAM_INCLUDEDIR}
    PATHS ${CMAKE_INSTALL_PREFIX}/include
          /usr/local/include
          /usr/include
)

FIND_LIBRARY(
    GR_NETSTREAM_LIBRARIES
    NAMES gnuradio-netstream
    HINTS $ENV{NETSTREAM_DIR}/lib
        ${PC_NETSTREAM_LIBDIR}
    PATHS ${CMAKE_INSTALL_PREFIX}/lib
          ${CMAKE_INSTALL_PREFIX}/lib64
          /usr/local/lib
          /usr/local/lib64
          /usr/lib
          /usr/lib64
          )

include("${CMAKE_CURRENT_LIST_DIR}/gnuradio-netstreamTarget.cmake")

INCLUDE(FindPackageHandleStandardArgs)
FIND_PACKAGE_HANDLE_STANDARD_ARGS(GR_NETSTREAM DEFAULT_MSG GR_NETSTREAM_LIBRARIES GR_NETSTREAM_INCLUDE_DIRS)
MARK_AS_ADVANCED(GR_NETSTREAM_LIBRARIES GR_NETSTREAM_INCLUDE_DIRS)
