func.func @f() {
  %0 = nonsense
}
