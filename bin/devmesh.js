#!/usr/bin/env node
console.log('hello from devmesh bin', process.version)
