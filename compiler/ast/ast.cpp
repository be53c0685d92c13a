// The AST is plain data; this file gives the library an object so that it
// links like the other stages.
#include "compiler/ast/ast.h"
