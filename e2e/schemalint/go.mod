// Not Go: this go.mod only keeps the npm packages installed here (node_modules, one of which,
// flatted, ships Go sources) out of the e2e module's ./..., so that go vet and go test never
// build a third party's code.
module github.com/invites/invites/e2e/schemalint

go 1.26
