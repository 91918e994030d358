package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"
	"os"

	"github.com/kekaexport/keka-hire-export/internal/kekasim"
)

func main() {
	t0 := time.Now()
	tn := kekasim.NewTenant(1, kekasim.Size{Jobs: 300, Applications: 20000, Preboarding: 500})
	fmt.Println("gen", time.Since(t0))
	tr := tn.Truth()
	fmt.Println(len(tr.Jobs), len(tr.Applications), len(tr.Preboarding))
	s, err := kekasim.Start(tn, kekasim.Options{})
	if err != nil { panic(err) }
	defer s.Close()
	resp, err := http.PostForm(s.TokenURL(), url.Values{"grant_type": {"kekaapi"}, "scope": {"kekaapi"}, "client_id": {"sim-client-id"}, "client_secret": {"sim-client-secret"}, "api_key": {"sim-api-key"}})
	if err != nil { panic(err) }
	b, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(b))
	tok := strings.Split(string(b), `"`)[3]
	get := func(p string) string {
		req, _ := http.NewRequest("GET", s.BaseURL()+p, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil { panic(err) }
		b, _ := io.ReadAll(resp.Body)
		return fmt.Sprint(resp.StatusCode, " ", string(b))
	}
	out := get("/hire/jobs?pageSize=2&lastModified=2020-01-01T00:00:00Z")
	fmt.Println(out)
	fmt.Println(get("/hire/jobs/" + tr.Jobs[0].ID + "/candidates?pageSize=2"))
	fmt.Println(get("/hire/preboarding/candidates?pageSize=3"))
	fmt.Println(get("/hire/talentpool"))
	if len(os.Args) > 1 {
		runtime.GC()
		var m runtime.MemStats
		t0 = time.Now()
		big := kekasim.NewTenant(2, kekasim.Size{Jobs: 300, Applications: 1000000, Preboarding: 500})
		fmt.Println("1M gen", time.Since(t0))
		runtime.GC()
		runtime.ReadMemStats(&m)
		fmt.Println("heap MB", m.HeapAlloc>>20)
		runtime.KeepAlive(big)
	}
}
