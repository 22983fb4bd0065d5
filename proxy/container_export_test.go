package proxy

import "context"

// Hooks for the tests of package proxy_test into the info cache that
// object requests rely on.

// ContainerExistsForTest reports whether the proxy believes the
// container exists, from its cache or its nodes.
func (s *Server) ContainerExistsForTest(ctx context.Context, account, container string) bool {
	return s.containerInfo(ctx, account, container, "tx-test").Exists()
}

// ContainerReadACLForTest is the container's read ACL as the proxy
// believes it.
func (s *Server) ContainerReadACLForTest(ctx context.Context, account, container string) string {
	return s.containerInfo(ctx, account, container, "tx-test").ReadACL
}
