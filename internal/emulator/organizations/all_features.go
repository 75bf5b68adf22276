package organizations

import (
	"context"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// EnableAllFeatures (API_EnableAllFeatures.html) moves a consolidated
// billing organization to all features: it opens an ENABLE_ALL_FEATURES
// handshake and one APPROVE_ALL_FEATURES handshake per invited member
// (accounts created through Organizations approve implicitly). Once every
// member has accepted its approval, the management account accepts the
// ENABLE_ALL_FEATURES handshake and the feature set becomes ALL.
func (s *Service) enableAllFeatures(ctx context.Context, r *service.Request) (any, error) {
	c, err := enter(r, managementOnly, false)
	if err != nil {
		return nil, err
	}
	if err := c.authorize(ctx, c.org.arn()); err != nil {
		return nil, err
	}
	if c.org.FeatureSet == "ALL" {
		return nil, withReason("HandshakeConstraintViolationException", "ORGANIZATION_ALREADY_HAS_ALL_FEATURES", "The organization already has all features enabled.")
	}
	pending := false
	err = r.Tx.Scan(handshakeByOrg, c.org.ID+"/", "", func(k string, _ store.Doc) (bool, error) {
		var h handshakeDoc
		if _, err := r.Tx.Get(handshakeTable, k[len(c.org.ID)+1:], &h); err != nil {
			return false, err
		}
		pending = h.Action == "ENABLE_ALL_FEATURES" && h.state(r.Now) == "OPEN"
		return !pending, nil
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if pending {
		return nil, withReason("HandshakeConstraintViolationException", "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION", "An enable-all-features request is already open.")
	}
	parent, err := s.newHandshake(r.Now, c.org, "ENABLE_ALL_FEATURES")
	if err != nil {
		return nil, err
	}
	var invited []string
	err = r.Tx.Scan(accountTable, c.org.ID+"/", "", func(_ string, d store.Doc) (bool, error) {
		var a accountDoc
		if err := d.Decode(&a); err != nil {
			return false, err
		}
		if a.JoinedMethod == "INVITED" && a.ID != c.org.MgmtAccountID {
			invited = append(invited, a.ID)
		}
		return true, nil
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	for _, id := range invited {
		h, err := s.newHandshake(r.Now, c.org, "APPROVE_ALL_FEATURES")
		if err != nil {
			return nil, err
		}
		h.TargetAccount, h.TargetType, h.TargetID, h.ParentID = id, "ACCOUNT", id, parent.ID
		if err := putHandshake(r.Tx, h); err != nil {
			return nil, storeErr(r.Action, err)
		}
	}
	if err := putHandshake(r.Tx, parent); err != nil {
		return nil, storeErr(r.Action, err)
	}
	return map[string]any{"Handshake": handshakeView(parent, r.Now)}, nil
}

// finishEnableAllFeatures is the management account accepting the
// ENABLE_ALL_FEATURES handshake.
func (s *Service) finishEnableAllFeatures(r *service.Request, parent *handshakeDoc) (any, error) {
	c, err := enter(r, managementOnly, false)
	if err != nil {
		return nil, err
	}
	waiting := 0
	err = r.Tx.Scan(handshakeByOrg, c.org.ID+"/", "", func(k string, _ store.Doc) (bool, error) {
		var h handshakeDoc
		if _, err := r.Tx.Get(handshakeTable, k[len(c.org.ID)+1:], &h); err != nil {
			return false, err
		}
		if h.ParentID == parent.ID && h.state(r.Now) != "ACCEPTED" {
			waiting++
		}
		return true, nil
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if waiting > 0 {
		return nil, awsErr("InvalidHandshakeTransitionException", "%d member accounts have not approved enabling all features yet.", waiting)
	}
	if err := transition(r, parent, "ACCEPTED"); err != nil {
		return nil, err
	}
	c.org.FeatureSet = "ALL"
	err = firstErr(
		func() error { return putHandshake(r.Tx, parent) },
		func() error { return r.Tx.Put(orgTable, c.org.ID, c.org) },
	)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return map[string]any{"Handshake": handshakeView(parent, r.Now)}, nil
}
