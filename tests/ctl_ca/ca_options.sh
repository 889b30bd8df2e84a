#!/usr/bin/env bash
# ctl_ca_options: --hosts/--org/--days, refusing to replace a CA without
# --force (files left byte-identical), --force replacing it, and command
# line mistakes giving exit status 2 without writing anything.
source "$IDPROV_SRC/tests/lib/harness.sh"

ctl() { "$IDPROVCTL" "$@"; }
# run_rc CMD...: sets $rc and $out (stdout+stderr) without tripping set -e.
run_rc() { rc=0; out=$("$@" 2>&1) || rc=$?; }

# --- options ---------------------------------------------------------------
dir="$H_TMP/custom/nested/ca"
run_rc ctl ca init --dir "$dir" --hosts "idprov.example, 192.0.2.7,2001:db8::1" \
	--org "Acme Corp" --days 30
h_expect_eq 0 "$rc" "exit status of ca init with options ($out)"
h_expect_eq 700 "$(stat -c %a "$dir")" "mode of a created nested CA folder"
srv=$(openssl x509 -in "$dir/server.pem" -noout -text)
h_expect_contains "$srv" "DNS:idprov.example, IP Address:192.0.2.7, IP Address:2001:DB8:0:0:0:0:0:1" \
	"server SANs from --hosts, in order"
h_expect_not_contains "$srv" "localhost" "--hosts replaces the default names"
h_expect_contains "$srv" "Subject: O = Acme Corp, CN = idprov.example" "server CN is the first host"
h_expect_contains "$(openssl x509 -in "$dir/ca.pem" -noout -subject)" \
	"subject=O = Acme Corp, CN = Acme Corp IDProv CA" "CA subject from --org"
for f in server admin; do
	openssl x509 -in "$dir/$f.pem" -noout -checkend $((29 * 86400)) >/dev/null ||
		h_fail "$f.pem should be valid in 29 days (--days 30)"
	h_ok
	if openssl x509 -in "$dir/$f.pem" -noout -checkend $((31 * 86400)) >/dev/null; then
		h_fail "$f.pem should have expired after 31 days (--days 30)"
	fi
	h_ok
done
out=$(openssl verify -CAfile "$dir/ca.pem" -purpose sslserver "$dir/server.pem" 2>&1) ||
	h_fail "server.pem made with --hosts does not verify: $out"
h_ok
# "--name=value" works like "--name value".
run_rc ctl ca init --dir="$H_TMP/eq" --days=5 --org=Eq
h_expect_eq 0 "$rc" "exit status with --name=value options ($out)"
h_expect_contains "$(openssl x509 -in "$H_TMP/eq/ca.pem" -noout -subject)" "O = Eq" "--org=Eq"

# --- refusing to replace an existing CA -------------------------------------
h_ca_init
before=$(cd "$H_CA" && sha256sum ca.pem ca.key server.pem server.key admin.pem admin.key)
run_rc ctl ca init --dir "$H_CA"
h_expect_eq 1 "$rc" "exit status of a second ca init without --force"
h_expect_contains "$out" "--force" "the refusal says how to proceed"
h_expect_eq 1 "$(printf '%s\n' "$out" | wc -l)" "the refusal is one line"
after=$(cd "$H_CA" && sha256sum ca.pem ca.key server.pem server.key admin.pem admin.key)
h_expect_eq "$before" "$after" "files after a refused ca init"
h_expect_eq 6 "$(find "$H_CA" -mindepth 1 | wc -l)" "files in the CA folder after a refusal"
# Only ca.key there (ca.pem lost) still counts as an existing CA.
mkdir "$H_TMP/halfca"
cp "$H_CA/ca.key" "$H_TMP/halfca/"
run_rc ctl ca init --dir "$H_TMP/halfca"
h_expect_eq 1 "$rc" "exit status when only ca.key exists"
h_expect_eq "$(sha256sum <"$H_CA/ca.key")" "$(sha256sum <"$H_TMP/halfca/ca.key")" "ca.key after a refusal"

# --- --force replaces it ---------------------------------------------------
run_rc ctl ca init --dir "$H_CA" --force
h_expect_eq 0 "$rc" "exit status of ca init --force ($out)"
for f in ca.pem ca.key server.pem admin.pem; do
	[ "$(sha256sum <"$H_CA/$f")" != "$(printf '%s\n' "$before" | grep " $f\$" | cut -d' ' -f1)  -" ] ||
		h_fail "$f was not replaced by --force"
	h_ok
done
out=$(openssl verify -CAfile "$H_CA/ca.pem" "$H_CA/server.pem" "$H_CA/admin.pem" 2>&1) ||
	h_fail "the replaced set does not verify: $out"
h_ok
h_expect_eq 600 "$(stat -c %a "$H_CA/ca.key")" "mode of ca.key after --force"

# --- --keep-ca: new server and admin certificates from the same CA --------
ca_before=$(cd "$H_CA" && sha256sum ca.pem ca.key)
srv_before=$(sha256sum <"$H_CA/server.pem")
run_rc ctl ca init --dir "$H_CA" --keep-ca --hosts renewed.example --days 20
h_expect_eq 0 "$rc" "exit status of ca init --keep-ca ($out)"
h_expect_eq "$ca_before" "$(cd "$H_CA" && sha256sum ca.pem ca.key)" "CA files after --keep-ca"
[ "$srv_before" != "$(sha256sum <"$H_CA/server.pem")" ] || h_fail "--keep-ca did not renew server.pem"
h_ok
out=$(openssl verify -CAfile "$H_CA/ca.pem" -purpose sslserver "$H_CA/server.pem" 2>&1) ||
	h_fail "server.pem renewed with --keep-ca does not verify: $out"
h_ok
out=$(openssl verify -CAfile "$H_CA/ca.pem" -purpose sslclient "$H_CA/admin.pem" 2>&1) ||
	h_fail "admin.pem renewed with --keep-ca does not verify: $out"
h_ok
h_expect_contains "$(openssl x509 -in "$H_CA/server.pem" -noout -subject)" 	"subject=O = idprov, CN = renewed.example" "renewed server subject (org taken from the kept CA)"
h_expect_eq 600 "$(stat -c %a "$H_CA/server.key")" "mode of the renewed server.key"
# Nothing to keep, or a key that is not the CA's: exit 1, nothing written.
run_rc ctl ca init --dir "$H_TMP/empty" --keep-ca
h_expect_eq 1 "$rc" "exit status of --keep-ca without a CA"
[ ! -e "$H_TMP/empty" ] || h_fail "--keep-ca without a CA created files"
h_ok
mkdir "$H_TMP/mixed"
cp "$H_CA/ca.pem" "$H_TMP/mixed/"
cp "$H_CA/server.key" "$H_TMP/mixed/ca.key"
run_rc ctl ca init --dir "$H_TMP/mixed" --keep-ca
h_expect_eq 1 "$rc" "exit status of --keep-ca with a ca.key that is not the CA's"
h_expect_contains "$out" "is not the key of" "the mismatch is named"
h_expect_eq 2 "$(find "$H_TMP/mixed" -mindepth 1 | wc -l)" "files after a refused --keep-ca"

# --- command line mistakes: exit 2, nothing written -----------------------
bad="$H_TMP/bad"
expect_usage() {
	run_rc ctl "$@"
	h_expect_eq 2 "$rc" "exit status of 'idprovctl $*' ($out)"
	[ ! -e "$bad" ] || h_fail "'idprovctl $*' created $bad"
	h_ok
}
expect_usage ca init
expect_usage ca init --dir "$bad" --bogus
expect_usage ca init --dir "$bad" --days 0
expect_usage ca init --dir "$bad" --days abc
expect_usage ca init --dir "$bad" --days 99999
expect_usage ca init --dir "$bad" --days
expect_usage ca init --dir "$bad" --hosts "a.example,,b.example"
expect_usage ca init --dir "$bad" --hosts "two words"
expect_usage ca init --dir "$bad" --hosts "a.example,DNS:evil"
expect_usage ca init --dir "$bad" --force=yes
expect_usage ca init --dir "$bad" --force --keep-ca
expect_usage ca init --dir "$bad" --dir "$bad"
expect_usage ca init --dir "$bad" extra
expect_usage ca init --dir ""
expect_usage ca init --dir "$bad" --org "$(printf 'a\tb')"
expect_usage ca init --dir "$bad" --org "$(printf 'x%.0s' $(seq 60))"
expect_usage
expect_usage nosuchcommand
expect_usage ca
run_rc ctl ca init --bogus
h_expect_contains "$out" "usage: idprovctl ca init" "a usage error shows the usage line"

# --- help and version -------------------------------------------------------
# --- a folder where a file goes: refused before anything is replaced -----
cp -a "$H_CA" "$H_TMP/ca-before"
rm "$H_CA/server.key"
mkdir -p "$H_CA/server.key/sub"
for mode in --force --keep-ca; do
	run_rc ctl ca init --dir "$H_CA" "$mode"
	h_expect_eq 1 "$rc" "exit status of ca init $mode with a folder named server.key ($out)"
	h_expect_contains "$out" "$H_CA/server.key is a folder" "ca init $mode names the folder in the way"
	for f in ca.key ca.pem server.pem admin.key admin.pem; do
		cmp -s "$H_CA/$f" "$H_TMP/ca-before/$f" || h_fail "ca init $mode with a folder in the way changed $f"
		h_ok
	done
	[ -z "$(find "$H_CA" -maxdepth 1 -name '.*')" ] || h_fail "ca init $mode left a hidden staging folder: $(ls -A "$H_CA")"
	h_ok
done
rm -r "$H_CA/server.key"
cp -p "$H_TMP/ca-before/server.key" "$H_CA/server.key"
echo "checked: a folder where a file goes is refused and nothing is replaced"

run_rc ctl --help
h_expect_eq 0 "$rc" "exit status of --help"
h_expect_contains "$out" "ca init" "--help lists ca init"
run_rc ctl help ca init
h_expect_eq 0 "$rc" "exit status of help ca init"
h_expect_contains "$out" "--dir DIR" "help ca init shows the options"
run_rc ctl ca init --help
h_expect_eq 0 "$rc" "exit status of ca init --help"
[ ! -e "$H_TMP/--help" ] || h_fail "ca init --help created a folder"
h_ok
run_rc ctl --version
h_expect_eq 0 "$rc" "exit status of --version"
h_expect_contains "$out" "idprovctl " "--version output"

h_pass
