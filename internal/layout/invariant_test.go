package layout

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseInvariant(t *testing.T) {
	tests := []struct {
		in      string
		want    Invariant
		wantErr *InvariantError
	}{
		{in: "group:engineers cannot write kind:production", want: Invariant{
			Subjects: []Subject{{Kind: SubjectGroup, Name: "engineers", Col: 1}},
			Access:   Access{Class: AccessWrite, Col: 24},
			Target:   InvariantTarget{Kind: TargetOfKind, Name: "production", Col: 30},
		}},
		{in: "only role:deployer can write account:prod", want: Invariant{
			Only: true, Can: true,
			Subjects: []Subject{{Kind: SubjectRole, Name: "deployer", Col: 6}},
			Access:   Access{Class: AccessWrite, Col: 24},
			Target:   InvariantTarget{Kind: TargetAccount, Name: "prod", Col: 30},
		}},
		{in: "only role:deployer, ci,user:carol can admin unit:Workloads/Production", want: Invariant{
			Only: true, Can: true,
			Subjects: []Subject{{Kind: SubjectRole, Name: "deployer", Col: 6}, {Kind: SubjectCI, Col: 21}, {Kind: SubjectUser, Name: "carol", Col: 24}},
			Access:   Access{Class: AccessAdmin, Col: 39},
			Target:   InvariantTarget{Kind: TargetUnit, Name: "Workloads/Production", Col: 45},
		}},
		{in: "developers can s3:Put* *", want: Invariant{
			Can:      true,
			Subjects: []Subject{{Kind: SubjectDevelopers, Col: 1}},
			Access:   Access{Action: "s3:Put*", Col: 16},
			Target:   InvariantTarget{Kind: TargetAll, Col: 24},
		}},
		{in: "* cannot read account:security", want: Invariant{
			Subjects: []Subject{{Kind: SubjectAnyone, Col: 1}},
			Access:   Access{Class: AccessRead, Col: 10},
			Target:   InvariantTarget{Kind: TargetAccount, Name: "security", Col: 15},
		}},
		{in: "", wantErr: &InvariantError{Col: 1, Msg: "empty invariant"}},
		{in: "grop:eng cannot write *", wantErr: &InvariantError{Col: 1, Msg: `"grop:eng" is not a subject (did you mean "group:eng"?)`}},
		{in: "group: cannot write *", wantErr: &InvariantError{Col: 7, Msg: "group: needs a name"}},
		{in: "group:eng may write *", wantErr: &InvariantError{Col: 11, Msg: `expected "can" or "cannot", found "may"`}},
		{in: "group:eng cannot wrte *", wantErr: &InvariantError{Col: 18, Msg: `"wrte" is not an access: want read, write, admin or SERVICE:ACTION such as s3:PutObject (did you mean "write"?)`}},
		{in: "group:eng cannot write", wantErr: &InvariantError{Col: 23, Msg: "expected a target (account:NAME, kind:KIND, unit:PATH or *)"}},
		{in: "group:eng cannot write acount:prod", wantErr: &InvariantError{Col: 24, Msg: `"acount:prod" is not a target (did you mean "account:prod"?)`}},
		{in: "group:eng cannot write * extra", wantErr: &InvariantError{Col: 26, Msg: `unexpected "extra" after the target`}},
		{in: "only group:eng cannot write *", wantErr: &InvariantError{Col: 16, Msg: `"only ... cannot" is not allowed`}},
		{in: "only group:eng,", wantErr: &InvariantError{Col: 16, Msg: `expected a subject after "only"`}},
		{in: "group:eng can s3 *", wantErr: &InvariantError{Col: 15, Msg: `"s3" is not an access: want read, write, admin or SERVICE:ACTION such as s3:PutObject`}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseInvariant(tt.in)
			if tt.wantErr != nil {
				ie, ok := err.(*InvariantError)
				if !ok {
					t.Fatalf("err = %v, want %+v", err, tt.wantErr)
				}
				ie.Hint = ""
				if diff := cmp.Diff(tt.wantErr, ie); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want.Only {
				tt.want.Can = tt.want.Can || containsWord(tt.in, " can ")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func containsWord(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if s[i:i+len(w)] == w {
			return true
		}
	}
	return false
}
