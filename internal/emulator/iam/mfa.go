package iam

import (
	"context"
	"encoding/base32"
	"encoding/base64"
	"io"
	"regexp"
	"sync"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// Virtual MFA devices:
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateVirtualMFADevice.html,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableMFADevice.html.
// A user may have up to 8 MFA devices
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa.html).

const (
	mfaPerUser = 8
	maxMFAName = 226
	// enableWindow is how many 30-second steps back EnableMFADevice looks
	// for the two consecutive codes (codes typed over a few minutes).
	enableWindow = 10
)

var authCode = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{6}$`) })

func checkAuthCode(member, v string) error {
	if !authCode().MatchString(v) {
		return validationError(member, v, "Member must have length equal to 6 and satisfy regular expression pattern: [\\d]+")
	}
	return nil
}

func getMFA(tx store.Tx, acct, serial string) (*mfaRec, error) {
	return getRec[mfaRec](tx, tableMFA, acct+"/"+serial, "mfa", func() error {
		return noSuchEntity("VirtualMFADevice with serial number %s doesn't exist.", serial)
	})
}

// userMFADevices returns the devices enabled for a user.
func userMFADevices(tx store.Tx, acct, userID string) ([]*mfaRec, error) {
	var out []*mfaRec
	err := scanRecs(tx, tableMFA, acct+"/", func(_ string, d *mfaRec) (bool, error) {
		if d.UserID == userID && userID != "" {
			out = append(out, d)
		}
		return true, nil
	})
	if err != nil {
		return nil, internal("list mfa", err)
	}
	return out, nil
}

type virtualMFAOut struct {
	SerialNumber     string        `xml:"SerialNumber"`
	Base32StringSeed string        `xml:"Base32StringSeed,omitempty"`
	User             *userOut      `xml:"User,omitempty"`
	EnableDate       *service.Time `xml:"EnableDate,omitempty"`
	Tags             []Tag         `xml:"Tags>member,omitempty"`
}

func (s *Service) createVirtualMFADevice(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		Path                 string
		VirtualMFADeviceName string
		Tags                 []Tag
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	path, err := checkNew("VirtualMFADeviceName", in.VirtualMFADeviceName, maxMFAName, in.Path)
	if err != nil {
		return nil, err
	}
	acct := r.Caller.Account
	serial := mfaARN(acct, path, in.VirtualMFADeviceName)
	if err := authorizeNew(ctx, r, serial, in.Tags, ""); err != nil {
		return nil, err
	}
	key := make([]byte, 40)
	if _, err := io.ReadFull(s.rand, key); err != nil {
		return nil, err
	}
	seed := base32.StdEncoding.EncodeToString(key) // 40 bytes: 64 characters, no padding
	d := &mfaRec{Serial: serial, Path: path, Name: in.VirtualMFADeviceName, Seed: seed, Created: r.Now, Tags: in.Tags}
	if err := insert(r.Tx, tableMFA, acct+"/"+serial, d, alreadyExists("MFADevice entity at the same path and name already exists.")); err != nil {
		return nil, err
	}
	// Base32StringSeed is a blob in the model: on the wire it is the base64
	// of the base32 text, which the SDK decodes back to the base32 bytes.
	return struct {
		VirtualMFADevice virtualMFAOut `xml:"VirtualMFADevice"`
	}{virtualMFAOut{SerialNumber: serial, Base32StringSeed: b64([]byte(seed)), Tags: in.Tags}}, nil
}

// userDeviceInput is the input of EnableMFADevice, ResyncMFADevice and
// DeactivateMFADevice (which has no codes).
type userDeviceInput struct {
	UserName            string
	SerialNumber        string
	AuthenticationCode1 string
	AuthenticationCode2 string
}

// userDevice decodes and checks a userDeviceInput (with its two codes when
// codes is set), loads the user, authorizing the request on it, and then
// the device.
func (s *Service) userDevice(ctx context.Context, r *service.Request, codes bool) (*userDeviceInput, *userRec, *mfaRec, error) {
	var in userDeviceInput
	if err := r.Decode(&in); err != nil {
		return nil, nil, nil, err
	}
	if err := checkName("UserName", in.UserName, maxUserName); err != nil {
		return nil, nil, nil, err
	}
	if in.SerialNumber == "" {
		return nil, nil, nil, missing("SerialNumber")
	}
	if codes {
		if err := checkAuthCode("authenticationCode1", in.AuthenticationCode1); err != nil {
			return nil, nil, nil, err
		}
		if err := checkAuthCode("authenticationCode2", in.AuthenticationCode2); err != nil {
			return nil, nil, nil, err
		}
	}
	u, err := s.user(ctx, r, in.UserName, service.Authz{})
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := getMFA(r.Tx, r.Caller.Account, in.SerialNumber)
	if err != nil {
		return nil, nil, nil, err
	}
	return &in, u, d, nil
}

// codesAt reports whether the input's two codes are those of the time
// steps step-1 and step.
func (in *userDeviceInput) codesAt(key []byte, step int64) bool {
	return hotp(key, step-1) == in.AuthenticationCode1 && hotp(key, step) == in.AuthenticationCode2
}

// checkEnabledFor refuses a device that is not enabled for u.
func checkEnabledFor(d *mfaRec, u *userRec, serial string) error {
	if d.UserID != u.ID {
		return noSuchEntity("MFA Device with serial number %s is not enabled for user %s.", serial, u.Name)
	}
	return nil
}

func (s *Service) enableMFADevice(ctx context.Context, r *service.Request) (any, error) {
	in, u, d, err := s.userDevice(ctx, r, true)
	if err != nil {
		return nil, err
	}
	acct, tx := r.Caller.Account, r.Tx
	if d.UserID != "" {
		return nil, alreadyExists("MFA Device is already in use.")
	}
	devs, err := userMFADevices(tx, acct, u.ID)
	if err != nil {
		return nil, err
	}
	if len(devs) >= mfaPerUser {
		return nil, limitExceeded("Cannot exceed quota for MFADevicesPerUser: %d", mfaPerUser)
	}
	key, err := decodeSeed(d.Seed)
	if err != nil {
		return nil, err
	}
	now := totpStepAt(r.Now)
	matched := int64(-1)
	for step := now + 1; step >= now-enableWindow; step-- {
		if in.codesAt(key, step) {
			matched = step
			break
		}
	}
	if matched < 0 {
		return nil, invalidAuthCode("Authentication code for device is not valid.")
	}
	d.User, d.UserID, d.EnableDate, d.LastStep = u.Name, u.ID, r.Now, matched
	return nil, putMFA(tx, acct, d)
}

func (s *Service) deactivateMFADevice(ctx context.Context, r *service.Request) (any, error) {
	in, u, d, err := s.userDevice(ctx, r, false)
	if err != nil {
		return nil, err
	}
	if err := checkEnabledFor(d, u, in.SerialNumber); err != nil {
		return nil, err
	}
	d.User, d.UserID, d.EnableDate, d.LastStep = "", "", time.Time{}, 0
	return nil, putMFA(r.Tx, r.Caller.Account, d)
}

func (s *Service) deleteVirtualMFADevice(ctx context.Context, r *service.Request) (any, error) {
	var in struct{ SerialNumber string }
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.SerialNumber == "" {
		return nil, missing("SerialNumber")
	}
	acct := r.Caller.Account
	if err := r.Authorize(ctx, service.Authz{Resource: in.SerialNumber}); err != nil {
		return nil, err
	}
	d, err := getMFA(r.Tx, acct, in.SerialNumber)
	if err != nil {
		return nil, err
	}
	if d.UserID != "" {
		return nil, deleteConflict("MFA Device is still in use.")
	}
	if _, err := r.Tx.Delete(tableMFA, acct+"/"+d.Serial); err != nil {
		return nil, internal("delete mfa", err)
	}
	return nil, nil
}

type mfaDeviceOut struct {
	UserName     string       `xml:"UserName"`
	SerialNumber string       `xml:"SerialNumber"`
	EnableDate   service.Time `xml:"EnableDate"`
}

func (s *Service) listMFADevices(ctx context.Context, r *service.Request) (any, error) {
	o, pg, err := s.ownerPage(ctx, r)
	if err != nil {
		return nil, err
	}
	var items []sliceKeyed[mfaDeviceOut]
	if o.name != "" {
		devs, err := userMFADevices(r.Tx, r.Caller.Account, o.id)
		if err != nil {
			return nil, err
		}
		for _, d := range devs {
			items = append(items, sliceKeyed[mfaDeviceOut]{key: d.Serial, item: mfaDeviceOut{UserName: d.User, SerialNumber: d.Serial, EnableDate: service.Time(d.EnableDate)}})
		}
	}
	out, info := pageSlice(items, pg)
	return struct {
		MFADevices []mfaDeviceOut `xml:"MFADevices>member"`
		pageInfo
	}{out, info}, nil
}

func (s *Service) listVirtualMFADevices(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		AssignmentStatus string
		Marker           string
		MaxItems         int
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if err := checkEnum("assignmentStatus", in.AssignmentStatus, "Assigned", "Unassigned", "Any"); err != nil {
		return nil, err
	}
	pg, err := parsePage(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	acct, tx := r.Caller.Account, r.Tx
	if err := r.Authorize(ctx, service.Authz{Resource: mfaARN(acct, "/", "*")}); err != nil {
		return nil, err
	}
	devs, info, err := scanPage(tx, tableMFA, acct+"/", pg, func(d *mfaRec) (virtualMFAOut, bool, error) {
		assigned := d.UserID != ""
		if in.AssignmentStatus == "Assigned" && !assigned || in.AssignmentStatus == "Unassigned" && assigned {
			return virtualMFAOut{}, false, nil
		}
		o := virtualMFAOut{SerialNumber: d.Serial, Tags: d.Tags}
		if assigned {
			u, err := getUser(tx, acct, d.User)
			if err != nil {
				return o, false, err
			}
			uo := u.out(acct, false)
			t := service.Time(d.EnableDate)
			o.User, o.EnableDate = &uo, &t
		}
		return o, true, nil
	})
	if err != nil {
		return nil, internal("list virtual mfa devices", err)
	}
	return struct {
		VirtualMFADevices []virtualMFAOut `xml:"VirtualMFADevices>member"`
		pageInfo
	}{devs, info}, nil
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// VerifyMFA checks a TOTP code from the MFA device serial, which must be
// enabled for the user with id userID in acct, at now: the code of the
// current 30-second step or either neighbour (clock drift), never one
// already accepted (a code is single-use). It records the step used, so tx
// must be writable. ok is false, with a nil error, when the device or code
// does not qualify; STS turns that into its own AccessDenied.
func VerifyMFA(tx store.Tx, acct, userID, serial, code string, now time.Time) (ok bool, err error) {
	var d mfaRec
	found, err := tx.Get(tableMFA, acct+"/"+serial, &d)
	if err != nil {
		return false, internal("get mfa", err)
	}
	if !found || d.UserID == "" || d.UserID != userID || !authCode().MatchString(code) {
		return false, nil
	}
	key, err := decodeSeed(d.Seed)
	if err != nil {
		return false, err
	}
	cur := totpStepAt(now)
	for step := cur - 1; step <= cur+1; step++ {
		if step > d.LastStep && hotp(key, step) == code {
			d.LastStep = step
			if err := tx.Put(tableMFA, acct+"/"+serial, &d); err != nil {
				return false, internal("put mfa", err)
			}
			return true, nil
		}
	}
	return false, nil
}

// resyncMFADevice re-synchronizes a device whose clock drifted: like
// EnableMFADevice it wants two consecutive codes, searched over a wider
// window (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ResyncMFADevice.html).
func (s *Service) resyncMFADevice(ctx context.Context, r *service.Request) (any, error) {
	in, u, d, err := s.userDevice(ctx, r, true)
	if err != nil {
		return nil, err
	}
	if err := checkEnabledFor(d, u, in.SerialNumber); err != nil {
		return nil, err
	}
	key, err := decodeSeed(d.Seed)
	if err != nil {
		return nil, err
	}
	// Up to an hour of drift either way.
	const drift = 120
	now := totpStepAt(r.Now)
	for step := now - drift; step <= now+drift; step++ {
		if in.codesAt(key, step) {
			d.LastStep = step
			return nil, putMFA(r.Tx, r.Caller.Account, d)
		}
	}
	return nil, invalidAuthCode("Authentication code for device is not valid.")
}
