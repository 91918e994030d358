package kekasim

import (
	"strconv"
	"time"
)

// ---- people ----

type name struct{ display, ascii string }

var (
	firstNamePtrs = displayPtrs(firstNames)
	lastNamePtrs  = displayPtrs(lastNames)
)

func displayPtrs(names []name) []*string {
	out := make([]*string, len(names))
	for i := range names {
		out[i] = &names[i].display
	}
	return out
}

var firstNames = []name{
	{"Asha", "asha"}, {"Rahul", "rahul"}, {"Priya", "priya"}, {"Ananya", "ananya"},
	{"Vikram", "vikram"}, {"Arjun", "arjun"}, {"Kavya", "kavya"}, {"Rohan", "rohan"},
	{"Sneha", "sneha"}, {"Aditya", "aditya"}, {"Meera", "meera"}, {"Karthik", "karthik"},
	{"Divya", "divya"}, {"Nikhil", "nikhil"}, {"Pooja", "pooja"}, {"Sanjay", "sanjay"},
	{"Lakshmi", "lakshmi"}, {"Farhan", "farhan"}, {"Ayesha", "ayesha"}, {"Imran", "imran"},
	{"Gurpreet", "gurpreet"}, {"Deepa", "deepa"}, {"Venkat", "venkat"}, {"Srinivas", "srinivas"},
	{"Emma", "emma"}, {"Liam", "liam"}, {"Olivia", "olivia"}, {"Noah", "noah"},
	{"Mei", "mei"}, {"Hiroshi", "hiroshi"}, {"Fatima", "fatima"}, {"Omar", "omar"},
	{"Zoë", "zoe"}, {"José", "jose"}, {"Søren", "soren"}, {"Renée", "renee"},
	{"Łukasz", "lukasz"}, {"François", "francois"}, {"Jürgen", "juergen"}, {"Chloé", "chloe"},
	{"अनन्या", "ananya.d"}, {"Ravi \"Rocky\"", "ravi"},
}

var lastNames = []name{
	{"Rao", "rao"}, {"Sharma", "sharma"}, {"Iyer", "iyer"}, {"Reddy", "reddy"},
	{"Patel", "patel"}, {"Nair", "nair"}, {"Gupta", "gupta"}, {"Singh", "singh"},
	{"Menon", "menon"}, {"Kulkarni", "kulkarni"}, {"Chatterjee", "chatterjee"}, {"Khan", "khan"},
	{"Das", "das"}, {"Joshi", "joshi"}, {"Pillai", "pillai"}, {"Bhat", "bhat"},
	{"Smith", "smith"}, {"Garcia", "garcia"}, {"Tanaka", "tanaka"}, {"Chen", "chen"},
	{"Müller", "mueller"}, {"Núñez", "nunez"}, {"Nguyễn", "nguyen"}, {"Østergaard", "ostergaard"},
	{"D'Souza", "dsouza"}, {"O'Brien", "obrien"}, {"Krishnamurthy", "krishnamurthy"},
}

var (
	middleNames = []string{"Kumar", "Devi", "Lal", "Marie", "Prasad", "Ann"}
	mailDomains = []string{"example.com", "example.org", "example.net", "mail.example.in"}
	skills      = []string{"Go", "SQL", "Python", "Java", "Kubernetes", "AWS", "React", "Excel", "Tally", "Sales", "Recruiting", "C#", "Figma", "Negotiation"}
	tags        = []string{"Referral", "Campus", "Silver medallist", "Rehire", "Diversity hire", "Notice: immediate"}
	degrees     = []string{"BTech", "BE", "BSc", "BCom", "MBA", "MCA", "MTech", "BA"}
	branches    = []string{"CS", "ECE", "Mechanical", "Finance", "Marketing", "Physics", ""}
	univs       = []string{"VTU", "Anna University", "IIT Bombay", "Pune University", "Delhi University", "JNTU", "Universität Wien"}
	cities      = []string{"Bengaluru", "Pune", "Hyderabad", "Chennai", "Mumbai", "Gurugram", "Kochi", "Noida", "Ahmedabad", "Remote"}
	states      = map[string]string{"Bengaluru": "Karnataka", "Pune": "Maharashtra", "Hyderabad": "Telangana", "Chennai": "Tamil Nadu", "Mumbai": "Maharashtra", "Gurugram": "Haryana", "Kochi": "Kerala", "Noida": "Uttar Pradesh", "Ahmedabad": "Gujarat", "Remote": ""}
	companies   = []string{"Acme", "Infosys", "Wipro", "Zoho", "Freshworks", "Flipkart", "TCS", "Swiggy", "Razorpay", "Initech"}
	designs     = []string{"Engineer", "Senior Engineer", "Analyst", "Associate", "Manager", "Intern", "Consultant"}
	notices     = []string{"Immediate", "15 days", "30 days", "60 days", "90 days"}
)

// newPerson makes a candidate. The first two people of a tenant always
// carry a name with a double quote and a non-ASCII name.
func (g *gen) newPerson() *person {
	n := g.seq
	g.seq++
	fi, li := g.r.IntN(len(firstNames)), g.r.IntN(len(lastNames))
	switch n {
	case 0:
		fi, li = len(firstNames)-1, len(lastNames)-3
	case 1:
		fi, li = 32, 20
	}
	fn, ln := firstNames[fi], lastNames[li]
	if len(g.people) == 0 {
		g.people = make([]person, 256)
	}
	p := &g.people[0]
	g.people = g.people[1:]
	p.id, p.first, p.gender = g.uuid(), firstNamePtrs[fi], g.r.IntN(4)
	if !g.chance(0.04) { // single-name people are common
		p.last = lastNamePtrs[li]
	}
	local := fn.ascii
	if p.last != nil {
		local += "." + ln.ascii
	}
	p.emailV = local + strconv.Itoa(n) + "@" + g.pick(mailDomains)
	p.email = g.maybePtr(0.02, &p.emailV)
	if g.chance(0.85) {
		p.countryCode = "+91"
		p.mobile = "9" + strconv.Itoa(800000000+g.r.IntN(199999999))
		p.phoneV = p.countryCode + " " + p.mobile[:5] + " " + p.mobile[5:]
	} else {
		p.countryCode = "+1"
		p.mobile = "415555" + strconv.Itoa(1000+g.r.IntN(9000))
		p.phoneV = "+1 415-555-" + p.mobile[6:]
	}
	p.phone = g.maybePtr(0.1, &p.phoneV)

	w := g.scratch()
	w.kstr("id", p.id)
	w.kstr("firstName", *p.first)
	if g.chance(0.2) {
		w.kstr("middleName", g.pick(middleNames))
	} else {
		w.knull("middleName")
	}
	g.optStr(w, "lastName", p.last)
	if g.chance(0.05) {
		w.knull("gender")
	} else {
		w.kint("gender", p.gender)
	}
	g.optStr(w, "email", p.email)
	g.optStr(w, "phone", p.phone)
	w.key("skills")
	w.begin('[')
	for range g.r.IntN(4) {
		w.elem()
		w.str(g.pick(skills))
	}
	w.end(']')
	w.key("candidateTags")
	w.begin('[')
	for range g.r.IntN(3) / 2 {
		w.elem()
		w.begin('{')
		w.kstr("identifier", g.uuid()[:8])
		w.kstr("name", g.pick(tags))
		w.kstr("description", "")
		w.end('}')
	}
	w.end(']')
	start := g.between(genEpoch.AddDate(-20, 0, 0), genEpoch.AddDate(-2, 0, 0), 24*time.Hour)
	w.key("educationDetails")
	w.begin('[')
	if g.chance(0.7) {
		w.elem()
		w.begin('{')
		w.kstr("degree", g.pick(degrees))
		w.kstr("branch", g.pick(branches))
		w.kstr("university", g.pick(univs))
		w.kstr("location", g.pick(cities))
		w.ktime("dateOfJoining", start, formISOLocal)
		w.ktime("dateOfCompletion", start.AddDate(4, 0, -60), formISOLocal)
		w.end('}')
	}
	w.end(']')
	w.key("experienceDetails")
	w.begin('[')
	if g.chance(0.6) {
		current := g.chance(0.5)
		w.elem()
		w.begin('{')
		w.kstr("companyName", g.pick(companies))
		w.kstr("designation", g.pick(designs))
		w.kbool("isCurrentlyWorking", current)
		w.kstr("location", g.pick(cities))
		w.ktime("dateOfJoining", start.AddDate(4, 1, 0), formISOLocal)
		if current {
			w.knull("dateOfRelieving")
		} else {
			w.ktime("dateOfRelieving", start.AddDate(6, 2, 0), formISOLocal)
		}
		w.end('}')
	}
	w.end(']')
	w.key("additionalCandidateDetails")
	w.begin('{')
	if g.chance(0.7) {
		w.kstr("Notice period", g.pick(notices))
	}
	if g.chance(0.3) {
		w.kstr("Current CTC (LPA)", strconv.Itoa(3+g.r.IntN(40)))
	}
	w.end('}')
	if g.chance(0.1) { // a field no document mentions
		w.kstr("linkedInProfileUrl", "https://www.linkedin.com/in/"+local+strconv.Itoa(n))
	}
	p.frag = g.keep(w.b)
	g.persons = append(g.persons, p)
	return p
}
