# Run by `cmake --install` (see dist/CMakeLists.txt): writes the systemd
# units and the example configuration with the paths of this installation.
# CMAKE_INSTALL_PREFIX is the prefix given to `cmake --install`; DESTDIR is
# honoured as by install(FILES).

function(idprov_full out dir)
  if(IS_ABSOLUTE "${dir}")
    set(${out} "${dir}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_INSTALL_PREFIX}/${dir}" PARENT_SCOPE)
  endif()
endfunction()

idprov_full(IDPROV_FULL_BINDIR "${IDPROV_BINDIR}")
idprov_full(IDPROV_FULL_SBINDIR "${IDPROV_SBINDIR}")
idprov_full(IDPROV_FULL_UNITDIR "${IDPROV_SYSTEMD_UNITDIR}")
idprov_full(IDPROV_FULL_DOCDIR "${IDPROV_DOCDIR}")
set(IDPROV_FULL_SYSCONFDIR "${IDPROV_SYSCONFDIR}")

# A folder of this run's own: installs may run at once (the tests do),
# with different prefixes.
string(SHA1 where "$ENV{DESTDIR}|${CMAKE_INSTALL_PREFIX}")
string(SUBSTRING "${where}" 0 12 where)
string(RANDOM LENGTH 12 run)
set(IDPROV_DIST_TMP "${IDPROV_DIST_TMP}/${where}-${run}")
file(MAKE_DIRECTORY "${IDPROV_DIST_TMP}")
foreach(unit idprovd.service idprov@.service)
  configure_file("${IDPROV_DIST_SRC}/systemd/${unit}" "${IDPROV_DIST_TMP}/${unit}" @ONLY)
endforeach()
configure_file("${IDPROV_DIST_SRC}/idprovd.conf" "${IDPROV_DIST_TMP}/idprovd.conf.example" @ONLY)

file(INSTALL "${IDPROV_DIST_TMP}/idprovd.service" "${IDPROV_DIST_TMP}/idprov@.service"
  DESTINATION "${IDPROV_FULL_UNITDIR}" FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
file(INSTALL "${IDPROV_DIST_TMP}/idprovd.conf.example"
  DESTINATION "${IDPROV_FULL_DOCDIR}" FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# A configuration already in place is the administrator's: never replace it.
set(conf "$ENV{DESTDIR}${IDPROV_FULL_SYSCONFDIR}/idprov/idprovd.conf")
if(EXISTS "${conf}")
  message(STATUS "Keeping: ${conf} (the new example is in ${IDPROV_FULL_DOCDIR})")
else()
  file(INSTALL "${IDPROV_DIST_TMP}/idprovd.conf.example"
    DESTINATION "${IDPROV_FULL_SYSCONFDIR}/idprov"
    RENAME idprovd.conf FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endif()
file(REMOVE_RECURSE "${IDPROV_DIST_TMP}")
