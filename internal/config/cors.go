package config

import (
	"net/url"
	"strings"
)

// AllowedOrigins are the origins whose pages may call the API from a browser: CORSOrigins, or
// by default the origin of Domain.AppURL, where the front end lives.
func (c Config) AllowedOrigins() []string {
	if len(c.CORSOrigins) > 0 {
		return c.CORSOrigins
	}
	u, err := url.Parse(c.Domain.AppURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil
	}
	return []string{u.Scheme + "://" + u.Host}
}

// parseOrigins reads CORS_ORIGINS: origins separated by commas, each without a trailing slash.
func parseOrigins(v string) []string {
	var out []string
	for _, o := range strings.Split(v, ",") {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			out = append(out, o)
		}
	}
	return out
}
