package proxy

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/swiftlet/swiftlet/internal/constraints"
	"github.com/swiftlet/swiftlet/internal/timestamp"
)

// The account controller: /v1/<account>, as Swift's AccountController.
//
//   - GET and HEAD: the listing and the account's counts and metadata from
//     one account node (listing.go). An account that does not exist is a
//     404, or, with AccountAutocreate, an empty account (it is created on
//     its first write), as Swift answers.
//   - POST: metadata (X-Account-Meta-*, X-Remove-Account-Meta-*), to
//     every replica; creates the account first with AccountAutocreate.
//   - PUT and DELETE: reseller admins only, with AllowAccountManagement;
//     else 405.

// serveAccount answers /v1/<account>.
func (s *Server) serveAccount(w http.ResponseWriter, r *request) error {
	allowed := "GET, HEAD, OPTIONS, POST"
	if s.cfg.AllowAccountManagement {
		allowed = "DELETE, GET, HEAD, OPTIONS, POST, PUT"
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return s.accountGetOrHead(w, r)
	case http.MethodPost:
		return s.accountPost(w, r)
	case http.MethodPut, http.MethodDelete:
		if !s.cfg.AllowAccountManagement {
			return methodNotAllowed(allowed)
		}
		return s.accountManage(w, r)
	case http.MethodOptions:
		w.Header().Set("Allow", allowed)
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return methodNotAllowed(allowed)
}

// checkAccountName rejects names over MaxAccountNameLength (twice that
// for the hidden accounts), with Swift's message.
func (s *Server) checkAccountName(account string) error {
	limit := s.nameLimit(account, s.cfg.Constraints.MaxAccountNameLength)
	if len(account) > limit {
		return &StatusError{Status: http.StatusBadRequest,
			Body: fmt.Sprintf("Account name length of %d longer than %d", len(account), limit)}
	}
	return nil
}

func (s *Server) accountGetOrHead(w http.ResponseWriter, r *request) error {
	grant, err := authorize(r.Request, Target{Account: r.account, Method: r.Method})
	if err != nil {
		return err
	}
	if err := s.checkAccountName(r.account); err != nil {
		return err
	}
	q := parseListingQuery(r)
	if r.Method == http.MethodGet {
		if q, err = checkListing(r, s.cfg.Constraints.AccountListingLimit); err != nil {
			return err
		}
	}
	a := s.readListing(r, accountServer, s.cfg.AccountRing)
	s.info.putAccount(r.account, newAccountInfo(a.status, a.header.Clone()))
	if a.status == http.StatusNotFound {
		switch {
		case strings.EqualFold(a.header.Get("X-Account-Status"), "deleted"):
			a.status = http.StatusGone
		case s.cfg.AccountAutocreate:
			return s.fakeAccount(w, r, q)
		}
	}
	if a.status/100 == 2 {
		varyAccept(w.Header(), a.status, q)
	}
	s.writeAnswer(w, r, a, grant.Owner)
	return nil
}

// fakeAccount answers a GET or HEAD of an account that does not exist
// yet but would be created on its first write (AccountAutocreate): an
// empty account, as Swift's proxy makes up. Swift builds it as JSON and
// converts it: a plain-text GET is a 204, HEAD and the other formats a
// 200.
func (s *Server) fakeAccount(w http.ResponseWriter, r *request, q listingQuery) error {
	ct, err := listingContentType(r.Header, q)
	if err != nil {
		return err
	}
	now := timestamp.New(s.cfg.Now()).Normal()
	h := w.Header()
	for _, k := range []string{"X-Account-Container-Count", "X-Account-Object-Count", "X-Account-Bytes-Used"} {
		h.Set(k, "0")
	}
	h.Set("X-Timestamp", now)
	h.Set("X-Put-Timestamp", now)
	h.Set("Content-Type", ct+"; charset=utf-8")
	body := emptyAccountListing(ct, r.account)
	status := http.StatusOK
	if len(body) == 0 && r.Method == http.MethodGet {
		status = http.StatusNoContent
	}
	varyAccept(h, status, q)
	if r.Method == http.MethodHead {
		h.Set("Content-Length", "0")
		w.WriteHeader(status)
		return nil
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client may be gone
	return nil
}

// accountWriteHeaders are the nodes' headers for a client's POST or PUT
// of an account: its metadata. (X-Account-Access-Control is not stored:
// account ACLs are the auth middleware's business, and tempauth here
// does not support them.)
func (s *Server) accountWriteHeaders(r *request, owner bool) http.Header {
	h := r.backendHeader()
	h.Set("X-Timestamp", timestamp.New(s.cfg.Now()).Internal())
	transferHeaders(h, r.Header, constraints.Account, nil, owner)
	return h
}

func (s *Server) accountPost(w http.ResponseWriter, r *request) error {
	grant, err := authorize(r.Request, Target{Account: r.account, Method: r.Method})
	if err != nil {
		return err
	}
	if err := s.checkAccountName(r.account); err != nil {
		return err
	}
	if err := s.cfg.Constraints.CheckMetadata(r.Header, constraints.Account); err != nil {
		return err
	}
	h := s.accountWriteHeaders(r, grant.Owner)
	ctx := r.Context()
	post := itemWrite{serverType: accountServer, src: s.cfg.AccountRing, method: http.MethodPost, account: r.account, header: h}
	resp := s.writeItem(ctx, post)
	if resp.status == http.StatusNotFound && s.cfg.AccountAutocreate {
		s.autocreateAccount(ctx, r) // if it fails, so does the POST
		resp = s.writeItem(ctx, post)
	}
	s.info.forget(r.account, "")
	writeNodeResponse(w, r, resp, grant.Owner)
	return nil
}

// accountManage is an account PUT or DELETE by a reseller admin.
func (s *Server) accountManage(w http.ResponseWriter, r *request) error {
	grant, err := authorize(r.Request, Target{Account: r.account, Method: r.Method})
	if err != nil {
		return err
	}
	if !grant.ResellerAdmin {
		return newStatusError(http.StatusForbidden)
	}
	var h http.Header
	if r.Method == http.MethodPut {
		if err := s.cfg.Constraints.CheckMetadata(r.Header, constraints.Account); err != nil {
			return err
		}
		if err := s.checkAccountName(r.account); err != nil {
			return err
		}
		h = s.accountWriteHeaders(r, grant.Owner)
	} else {
		// A query on an account DELETE is a typo for a request some
		// middleware should have caught: refuse it, as Swift does.
		if r.URL.RawQuery != "" {
			return newStatusError(http.StatusBadRequest)
		}
		h = r.backendHeader()
		h.Set("X-Timestamp", timestamp.New(s.cfg.Now()).Internal())
	}
	resp := s.writeItem(r.Context(), itemWrite{serverType: accountServer, src: s.cfg.AccountRing, method: r.Method, account: r.account, header: h})
	s.info.forget(r.account, "")
	writeNodeResponse(w, r, resp, grant.Owner)
	return nil
}

// autocreateAccount creates the request's account on its nodes (Swift's
// autocreate_account). It reports whether a quorum created it (or had
// it).
func (s *Server) autocreateAccount(ctx context.Context, r *request) bool {
	h := r.backendHeader()
	h.Set("X-Timestamp", timestamp.New(s.cfg.Now()).Internal())
	h.Set("X-Openstack-Request-Id", r.txnID)
	resp := s.writeItem(ctx, itemWrite{serverType: accountServer, src: s.cfg.AccountRing, method: http.MethodPut, account: r.account, header: h})
	s.info.forget(r.account, "")
	if resp.status/100 != 2 {
		s.log.Warn("could not autocreate account", "account", r.account, "status", resp.status, "txn_id", r.txnID)
		return false
	}
	s.log.Info("autocreated account", "account", r.account, "txn_id", r.txnID)
	return true
}
