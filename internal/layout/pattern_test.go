package layout

import "testing"

func TestCovers(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"feature-*", "feature-login", true},
		{"feature-*", "feature-x*", true},
		{"feature-*", "feature-*", true},
		{"*", "anything-*-?", true},
		{"pr-*", "pr-1?", true},
		{"pr-?", "pr-1", true},
		{"pr-?", "pr-*", false}, // pr-* also matches pr-12
		{"pr-?", "pr-??", false},
		{"feature-*", "feat*", false},
		{"*-login", "feature-login", true},
		{"*-login", "*-login", true},
		{"*-login", "*login", false},
		{"a*b*c", "a-x-b-y-c", true},
		{"a*b*c", "a*c", false},
		{"prod", "prod", true},
		{"prod", "prod2", false},
		{"?*", "x*", true},
		{"?*", "*", false}, // * matches the empty name
	}
	for _, tt := range tests {
		if got := covers(tt.a, tt.b); got != tt.want {
			t.Errorf("covers(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestMatchPattern(t *testing.T) {
	devs := []string{"alice", "bob"}
	tests := []struct {
		pattern, stage, dev string
		ok                  bool
	}{
		{"sandbox-{developer}", "sandbox-bob", "bob", true},
		{"sandbox-{developer}", "sandbox-carol", "", false},
		{"{developer}-*", "alice-feature", "alice", true},
		{"feature-*", "feature-login", "", true},
		{"feature-*", "hotfix-login", "", false},
		{"prod", "prod", "", true},
		{"prod", "production", "", false},
	}
	for _, tt := range tests {
		b, ok := MatchPattern(tt.pattern, tt.stage, devs)
		if ok != tt.ok || b.Developer != tt.dev {
			t.Errorf("MatchPattern(%q, %q) = %+v, %v; want developer %q, %v", tt.pattern, tt.stage, b, ok, tt.dev, tt.ok)
		}
	}
}
