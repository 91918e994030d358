package deploy_test

import (
	"debug/elf"
	"debug/gosym"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/kekaexport/keka-hire-export/"

// TestBootstrap_NoSimulator builds the bootstrap exactly as `sam build`
// does (make build-ExportFunction) and reads the function names in its
// pclntab, which -ldflags "-s -w" keeps (go tool nm finds no symbol table in
// such a binary): none of internal/kekasim may be linked, and the zone
// database must be. A build without the nodemo tag is read the same way,
// to show the check sees the simulator when it is there. Finally a bootstrap
// built with the same tags for this machine must answer --demo with where
// the demo is.
func TestBootstrap_NoSimulator(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bootstrap three times")
	}
	mk := lookTool(t, "make")
	out := t.TempDir()
	cmd := exec.Command(mk, "-s", "build-ExportFunction", "ARTIFACTS_DIR="+out)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make build-ExportFunction: %v\n%s", err, b)
	}
	bootstrap := filepath.Join(out, "bootstrap")
	funcs := pclntabFuncs(t, bootstrap, elf.EM_AARCH64)
	if n := countPrefix(funcs, module+"internal/kekasim."); n > 0 {
		t.Errorf("the Lambda bootstrap links %d functions of internal/kekasim, e.g. %s", n, firstPrefix(funcs, module+"internal/kekasim."))
	}
	for _, pkg := range []string{module + "internal/app.", module + "internal/snapshot.", "time/tzdata."} {
		if countPrefix(funcs, pkg) == 0 {
			t.Errorf("the Lambda bootstrap has no function of %s*: the check reads the wrong table, or the package is not linked", pkg)
		}
	}

	// The tags both Lambda targets build with, from the Makefile itself.
	tags := makeTags(t, mk, "build-ExportFunction", "ARTIFACTS_DIR="+out)
	if other := makeTags(t, mk, "build"); other != tags {
		t.Errorf("make build uses -tags %s, make build-ExportFunction -tags %s: want the same", other, tags)
	}
	if !slices.Contains(strings.Split(tags, ","), "nodemo") {
		t.Fatalf("the Lambda build's tags %q lack nodemo", tags)
	}

	t.Run("the check sees the simulator in a build with the demo", func(t *testing.T) {
		var keep []string
		for _, tag := range strings.Split(tags, ",") {
			if tag != "nodemo" {
				keep = append(keep, tag)
			}
		}
		bin := goBuild(t, "linux", "arm64", strings.Join(keep, ","))
		if countPrefix(pclntabFuncs(t, bin, elf.EM_AARCH64), module+"internal/kekasim.") == 0 {
			t.Error("no internal/kekasim function found in a build that has the demo: the check cannot see the simulator")
		}
	})

	t.Run("--demo is refused with where the demo is", func(t *testing.T) {
		if runtime.GOOS != "linux" {
			t.Skip("runs a linux build")
		}
		bin := goBuild(t, runtime.GOOS, runtime.GOARCH, tags)
		cmd := exec.Command(bin, "--demo")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
		cmd.Dir = t.TempDir()
		b, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Errorf("exit: %v, want status 2", err)
		}
		msg := strings.TrimSpace(string(b))
		for _, want := range []string{"--demo is not in this build", "make demo"} {
			if !strings.Contains(msg, want) {
				t.Errorf("output %q lacks %q", msg, want)
			}
		}
		if strings.Count(msg, "\n") > 0 {
			t.Errorf("output is not one line: %q", msg)
		}
		if entries, _ := os.ReadDir(cmd.Dir); len(entries) > 0 {
			t.Errorf("the refused demo wrote %d entries", len(entries))
		}
	})
}

// pclntabFuncs returns the names of the functions in the Go binary at path,
// from its .gopclntab section, which stripped binaries keep; the binary
// must be an ELF file for machine.
func pclntabFuncs(t *testing.T, path string, machine elf.Machine) []string {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != machine {
		t.Fatalf("%s is for %v, want %v", path, f.Machine, machine)
	}
	pcln, text := f.Section(".gopclntab"), f.Section(".text")
	if pcln == nil || text == nil {
		t.Fatalf("%s has no .gopclntab or .text section", path)
	}
	data, err := pcln.Data()
	if err != nil {
		t.Fatal(err)
	}
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		t.Fatalf("%s: read pclntab: %v", path, err)
	}
	names := make([]string, len(tab.Funcs))
	for i, fn := range tab.Funcs {
		names[i] = fn.Name
	}
	if len(names) < 1000 {
		t.Fatalf("%s: only %d functions in the pclntab", path, len(names))
	}
	return names
}

// makeTags returns the -tags value of the go build that make would run for
// target.
func makeTags(t *testing.T, mk, target string, vars ...string) string {
	t.Helper()
	cmd := exec.Command(mk, append([]string{"-n", target}, vars...)...)
	cmd.Dir = root
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n %s: %v\n%s", target, err, b)
	}
	m := regexp.MustCompile(`go build .*-tags[ =](\S+)`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("make -n %s runs no go build with -tags:\n%s", target, b)
	}
	return string(m[1])
}

// goBuild builds ./functions/export as the Makefile does, for goos/goarch
// with tags, and returns the binary's path.
func goBuild(t *testing.T, goos, goarch, tags string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", tags, "-trimpath", "-ldflags", "-s -w", "-o", bin, "./functions/export")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags %s for %s/%s: %v\n%s", tags, goos, goarch, err, b)
	}
	return bin
}

func countPrefix(names []string, prefix string) int {
	n := 0
	for _, s := range names {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

func firstPrefix(names []string, prefix string) string {
	for _, s := range names {
		if strings.HasPrefix(s, prefix) {
			return s
		}
	}
	return ""
}
