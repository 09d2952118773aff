// Package demo fills a database with a believable French collection agency:
// creditors with mandates, a user for every role, debtors with valid
// SIRENs, and cases at every stage with real-looking timelines — made
// through the application's own use cases, so every rule holds. Bulk mode
// adds a large number of cases with COPY, for benchmarks.
package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/ident"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Password is the demo accounts' password, printed with the logins.
const Password = "Recouvra-demo-2026"

// Login is a demo account.
type Login struct {
	Email, Role, Name string
}

// Clock is the settable clock the seeding service runs on, so that a case's
// history is spread over the past months instead of all happening now.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

func NewClock(t time.Time) *Clock { return &Clock{t: t} }

func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type creditorSeed struct {
	name, city, postal, street, user string
	commission                       int
	judicial                         bool
	status                           recouvra.LegalStatus
	// identity is what an injunction request says of the creditor (CPC
	// 57, 1407): a company's legal form, register and representative; the
	// landlord's profession, nationality, birth date and place.
	identity recouvra.Identity
}

var creditorSeeds = []creditorSeed{
	{"Menuiserie Dupont SARL", "Lyon", "69003", "12 rue des Lilas", "compta@menuiserie-dupont.demo", 1200, true, recouvra.StatusBusiness,
		recouvra.Identity{LegalForm: "SARL", Registry: "RCS Lyon", RepresentativeName: "Jean Dupont", RepresentativeTitle: "gérant"}},
	{"Transports Lefèvre SAS", "Lille", "59000", "8 boulevard de la Liberté", "facturation@transports-lefevre.demo", 1500, true, recouvra.StatusBusiness,
		recouvra.Identity{LegalForm: "SAS", Registry: "RCS Lille Métropole", RepresentativeName: "Martine Lefèvre", RepresentativeTitle: "présidente"}},
	{"Imprimerie du Centre SA", "Clermont-Ferrand", "63000", "3 place de Jaude", "gestion@imprimerie-centre.demo", 1000, false, recouvra.StatusBusiness,
		recouvra.Identity{LegalForm: "SA", Registry: "RCS Clermont-Ferrand", RepresentativeName: "Bruno Vidal", RepresentativeTitle: "président-directeur général"}},
	{"Henri Blanc (bailleur)", "Annecy", "74000", "27 avenue d'Albigny", "henri.blanc@bailleur.demo", 1800, true, recouvra.StatusIndividual,
		recouvra.Identity{Profession: "ingénieur retraité", Nationality: "française", BornOn: recouvra.NewDate(1956, time.March, 18), BornIn: "Annecy (74)"}},
}

// Seeder creates the demo agency through the use cases.
type Seeder struct {
	Svc   *app.Service
	Clock *Clock
	Out   io.Writer
	Rand  *rand.Rand
	// AgencyName is the agency's name, as the creditors' special powers name it.
	AgencyName string
}

// Result says what the seed holds.
type Result struct {
	Logins    []Login
	Created   bool // false when the demo agency was already there
	Creditors []uuid.UUID
}

// Agency creates the creditors and users unless they exist, and returns the
// logins either way.
func (s *Seeder) Agency(ctx context.Context) (Result, error) {
	logins := []Login{
		{"direction@recouvra.demo", "admin", "Claire Martin"},
		{"agent@recouvra.demo", "agent", "Camille Bernard"},
		{"agent2@recouvra.demo", "agent", "Lucas Moreau"},
		{"juriste@recouvra.demo", "lawyer", "Sophie Laurent"},
		{accountantEmail, "accountant", "Nathalie Petit"},
	}
	for _, c := range creditorSeeds {
		logins = append(logins, Login{c.user, "creditor", "Comptabilité — " + c.name})
	}
	res := Result{Logins: logins}
	if loaded, err := s.Svc.AccountExists(ctx, logins[0].Email); err != nil {
		return res, err
	} else if loaded {
		// A demo loaded before the accountant role existed gets its
		// accountant; nothing else changes.
		if err := s.accountant(ctx, logins[4]); err != nil {
			return res, err
		}
		page, err := s.Svc.ListCreditors(ctx, app.System, app.PageRequest{Limit: 200})
		if err != nil {
			return res, err
		}
		for _, c := range page.Items {
			res.Creditors = append(res.Creditors, c.ID)
		}
		return res, nil
	}
	res.Created = true
	meta := app.Meta{ClientIP: "local", UserAgent: "recouvra demo"}
	for _, l := range logins[:5] {
		if _, err := s.Svc.CreateUser(ctx, app.System, app.NewUser{Email: l.Email, Name: l.Name, Role: recouvra.Role(l.Role), Password: Password}, meta); err != nil {
			return res, err
		}
	}
	for i, cs := range creditorSeeds {
		siren := s.siren()
		c, err := s.Svc.CreateCreditor(ctx, app.System, recouvra.Creditor{
			LegalName: cs.name,
			CreditorDetails: recouvra.CreditorDetails{
				SIREN: string(siren), VATNumber: string(ident.VATFromSIREN(siren)),
				Address:  recouvra.Address{Line1: cs.street, PostalCode: cs.postal, City: cs.city, Country: "FR"},
				Contacts: []recouvra.Contact{{Name: "Service comptabilité", Email: cs.user, Phone: "+33 4 72 00 00 0" + fmt.Sprint(i), Role: "comptabilité"}},
				IBAN:     "FR7630006000011234567890189", BIC: "AGRIFRPP",
				Mandate: recouvra.Mandate{SignedOn: recouvra.DateOf(s.Clock.Now()).AddDays(-500 + 30*i), CommissionBps: cs.commission,
					FixedFeeCents: 3500, JudicialAllowed: cs.judicial, NoticeDeadlineDays: 8, LegalStatus: cs.status},
				Identity: cs.identity,
			},
		}, meta)
		if err != nil {
			return res, err
		}
		res.Creditors = append(res.Creditors, c.ID)
		if _, err := s.Svc.CreateUser(ctx, app.System, app.NewUser{Email: cs.user, Name: logins[5+i].Name, Role: recouvra.RoleCreditor, CreditorID: &c.ID, Password: Password}, meta); err != nil {
			return res, err
		}
	}
	return res, nil
}

// accountantEmail is the demo accountant's (« comptable ») login.
const accountantEmail = "comptable@recouvra.demo"

// accountant creates the demo accountant l unless it exists.
func (s *Seeder) accountant(ctx context.Context, l Login) error {
	if exists, err := s.Svc.AccountExists(ctx, l.Email); err != nil || exists {
		return err
	}
	_, err := s.Svc.CreateUser(ctx, app.System, app.NewUser{Email: l.Email, Name: l.Name, Role: recouvra.RoleAccountant, Password: Password},
		app.Meta{ClientIP: "local", UserAgent: "recouvra demo"})
	return err
}

// siren draws a valid SIREN.
func (s *Seeder) siren() ident.SIREN {
	return ident.CompleteSIREN(fmt.Sprintf("%08d", 30000000+s.Rand.IntN(60000000))) // 9xxxxxxx is left to bulk debtors
}

var (
	trades    = []string{"Boulangerie", "Garage", "Boucherie", "Pharmacie", "Plomberie", "Électricité", "Restaurant", "Hôtel", "Librairie", "Fromagerie", "Maçonnerie", "Cave", "Fleuriste", "Agence", "Atelier", "Bistrot", "Carrosserie", "Épicerie fine"}
	surnames  = []string{"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupuis", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Chevalier", "Faure", "Garnier"}
	forenames = []string{"Julien", "Nathalie", "Pierre", "Isabelle", "Nicolas", "Sandrine", "Thierry", "Céline", "Olivier", "Aurélie", "Stéphane", "Émilie"}
	forms     = []string{"SARL", "SAS", "EURL", "SA", "SNC"}
	streets   = []string{"rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "place du Marché", "rue Pasteur", "boulevard Gambetta", "rue des Écoles", "chemin des Vignes", "rue Nationale", "quai de la Loire"}
	cities    = []struct{ name, postal string }{{"Paris", "75011"}, {"Marseille", "13006"}, {"Lyon", "69007"}, {"Toulouse", "31000"}, {"Nantes", "44000"}, {"Strasbourg", "67000"}, {"Montpellier", "34000"}, {"Bordeaux", "33000"}, {"Rennes", "35000"}, {"Dijon", "21000"}, {"Grenoble", "38000"}, {"Angers", "49000"}, {"Tours", "37000"}, {"Limoges", "87000"}, {"Besançon", "25000"}}
)

// representativeTitle is the capacity the legal representative of each
// form acts in (C. com. L223-18, L227-6, L225-51-1, L221-3).
var representativeTitle = map[string]string{"SARL": "gérant", "EURL": "gérant", "SNC": "gérant", "SAS": "président", "SA": "président-directeur général"}

func (s *Seeder) pick(list []string) string { return list[s.Rand.IntN(len(list))] }

// bestTimes are when demo debtors are best reached by phone; empty: not
// known. Chosen from the debtor's own name and address, so that no random
// number is drawn for it and the rest of the demo stays as it was.
var bestTimes = []string{"mardi et jeudi matin", "", "après 18 h", "entre 12 h et 14 h", "", "le matin avant 10 h", "lundi après-midi", ""}

func withBestTime(d recouvra.Debtor) recouvra.Debtor {
	d.BestTimeToCall = bestTimes[(len(d.Name)+len(d.Address.Line1))%len(bestTimes)]
	return d
}

// debtor invents a debtor: mostly companies with a valid SIREN, some people.
func (s *Seeder) debtor() recouvra.Debtor {
	city := cities[s.Rand.IntN(len(cities))]
	d := recouvra.Debtor{
		Address: recouvra.Address{Line1: fmt.Sprintf("%d %s", 1+s.Rand.IntN(120), s.pick(streets)), PostalCode: city.postal, City: city.name, Country: "FR"},
		Phones:  []string{fmt.Sprintf("+33 %d %02d %02d %02d %02d", 1+s.Rand.IntN(5), s.Rand.IntN(100), s.Rand.IntN(100), s.Rand.IntN(100), s.Rand.IntN(100))},
	}
	if s.Rand.IntN(10) == 0 {
		first, last := s.pick(forenames), s.pick(surnames)
		d.Kind, d.Name = recouvra.DebtorPerson, first+" "+last
		d.Emails = []string{fmt.Sprintf("%s.%s@exemple.fr", asciiLower(first), asciiLower(last))}
		return withBestTime(d)
	}
	name := fmt.Sprintf("%s %s %s", s.pick(trades), s.pick(surnames), s.pick(forms))
	siren := s.siren()
	d.Kind, d.Name, d.SIREN = recouvra.DebtorCompany, name, string(siren)
	d.VATNumber = string(ident.VATFromSIREN(siren))
	d.Emails = []string{"contact@" + asciiLower(name[:min(len(name), 12)]) + ".fr"}
	return withBestTime(d)
}

func asciiLower(s string) string {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			out = append(out, byte(r))
		case r >= 'A' && r <= 'Z':
			out = append(out, byte(r-'A'+'a'))
		case r == 'é' || r == 'è' || r == 'ê' || r == 'É':
			out = append(out, 'e')
		case r == 'ç':
			out = append(out, 'c')
		}
	}
	return string(out)
}
