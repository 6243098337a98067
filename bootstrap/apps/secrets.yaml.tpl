---
# Cluster `apps`: the secrets the bootstrap releases need before external-secrets can fetch the rest. Rendered with
# `op inject` (each op:// reference is replaced by the 1Password field it names) and applied server-side; never
# write the rendered output to disk. Both clusters read the same vault.
# Used by the Cloudflare DNS-01 solver of the ClusterIssuer that Flux applies.
apiVersion: v1
kind: Secret
metadata:
  name: cloudflare-api-token
  namespace: cert-manager
type: Opaque
stringData:
  api-token: op://homelab/cloudflare/api-token
---
# Used by the 1Password SDK ClusterSecretStore (auth.serviceAccountSecretRef) that Flux applies.
apiVersion: v1
kind: Secret
metadata:
  name: onepassword-service-account
  namespace: external-secrets
type: Opaque
stringData:
  token: op://homelab/1password-service-account/token
---
# HTTPS basic auth for the FluxInstance GitRepository (instance.sync.pullSecret); GitHub accepts any username with a
# token as the password.
apiVersion: v1
kind: Secret
metadata:
  name: flux-git-auth
  namespace: flux-system
type: Opaque
stringData:
  username: git
  password: op://homelab/flux/github-token
