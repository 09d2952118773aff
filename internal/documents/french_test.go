package documents

import "testing"

func TestElision(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ word, name, want string }{
		{"de", "Dupont", "de Dupont"},
		{"de", "Imprimerie Martin", "d'Imprimerie Martin"},
		{"de", "Agence Recouvra", "d'Agence Recouvra"},
		{"de", "Éditions du Lac", "d'Éditions du Lac"},
		{"de", "Œuvres sociales", "d'Œuvres sociales"},
		{"de", "Union Bois", "d'Union Bois"},
		{"de", "Hôtel du Parc", "d'Hôtel du Parc"},
		{"de", "Hauts-de-France Bâtiment", "de Hauts-de-France Bâtiment"},
		{"de", "Hollande Frères", "de Hollande Frères"},
		{"de", "Yves Martin", "d'Yves Martin"},
		{"de", "Yaourts du Jura", "de Yaourts du Jura"},
		{"de", "  Scierie du Jura ", "de Scierie du Jura"},
		{"de", "", "de "},
		{"de", "2M Services", "de 2M Services"},
		{"que", "Agence Recouvra", "qu'Agence Recouvra"},
		{"que", "Menuiserie Dupont", "que Menuiserie Dupont"},
		{"le", "Isère Transports", "l'Isère Transports"},
		{"la", "Ardèche Bois", "l'Ardèche Bois"},
	} {
		if got := elide(c.word, c.name); got != c.want {
			t.Errorf("elide(%q, %q) = %q, want %q", c.word, c.name, got, c.want)
		}
	}
	if de("Imprimerie") != "d'Imprimerie" || que("Imprimerie") != "qu'Imprimerie" {
		t.Error("de/que do not elide")
	}
}
